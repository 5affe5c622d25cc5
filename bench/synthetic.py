"""Invoices generated in many layouts and languages, with their truth, for the ranker.

Each invoice draws a template (where the header, the parties, the dates and the totals
block sit), a language (label words, date and number spelling) and the distractors real
invoices print: a footnote naming an amount threshold, a customer or policy number, a print
date in the footer, a delivery date or service period, a prepayment and the balance left,
the document title on the supplier's line, payment terms whose day count need not give the
printed due date, a due date on the day of issue, dot leaders between labels and values.
Seven label languages (EN, DE, FR, NL, ES, IT, PT). The truth is what was drawn, so every candidate
can be labelled. Templates are numbered: ``bench.folds`` trains on some and tests on others.
"""
from __future__ import annotations

import io
import random
from datetime import date, timedelta

LANGUAGES = {
    "en": {"referenced": ["Original invoice", "Related invoice"], "title": ["INVOICE", "Tax Invoice", "Invoice"], "number": ["Invoice No.", "Invoice #", "Invoice number", "Document no.", "Booking ID"],
           "date": ["Invoice date", "Date", "Issued", "Date of issue"], "due": ["Due date", "Payment due", "Pay by"],
           "delivery": ["Delivery date", "Service period"], "bill_to": ["Bill to", "Customer", "Invoice to", "Sold to"],
           "subtotal": ["Subtotal", "Net amount", "Total excl. VAT"], "tax": ["VAT", "Tax", "Sales tax"],
           "total": ["Total", "Grand total", "Total amount", "Invoice total", "Total incl. VAT"],
           "paid": ["Amount paid", "Prepayment"], "balance": ["Balance due", "Amount due"],
           "customer_no": ["Customer no.", "Account number", "Policy number"], "printed": ["Printed", "Page 1 of 1 printed"],
           "note": "Free shipping on orders over {amount}", "desc": ["Consulting", "Licence", "Support plan", "Hardware", "Training"],
           "month_names": ["January", "February", "March", "April", "May", "June", "July", "August", "September",
                           "October", "November", "December"], "date_style": ["us", "text", "iso"]},
    "de": {"referenced": ["Ursprungsrechnung", "Korrektur zu"], "title": ["RECHNUNG", "Rechnung"], "number": ["Rechnungsnummer", "Rechnung Nr.", "Beleg-Nr."],
           "date": ["Rechnungsdatum", "Datum"], "due": ["Fällig am", "Zahlbar bis"],
           "delivery": ["Lieferdatum", "Leistungszeitraum"], "bill_to": ["Rechnungsempfänger", "Kunde"],
           "subtotal": ["Nettobetrag", "Summe netto", "Zwischensumme"], "tax": ["USt", "MwSt", "Umsatzsteuer"],
           "total": ["Gesamtbetrag", "Rechnungsbetrag", "Summe brutto", "Endbetrag"],
           "paid": ["Anzahlung", "Bereits bezahlt"], "balance": ["Zu zahlen", "Restbetrag"],
           "customer_no": ["Kundennummer", "Vertragsnummer"], "printed": ["Gedruckt am"],
           "note": "Versandkostenfrei ab {amount}", "desc": ["Beratung", "Lizenz", "Wartung", "Montage", "Schulung"],
           "month_names": ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September",
                           "Oktober", "November", "Dezember"], "date_style": ["dot", "text"]},
    "fr": {"referenced": ["Facture d'origine", "Facture initiale"], "title": ["FACTURE", "Facture"], "number": ["Facture n°", "N° de facture", "Numéro de facture"],
           "date": ["Date de facture", "Date"], "due": ["Échéance", "Date d'échéance", "À payer avant le"],
           "delivery": ["Date de livraison", "Période"], "bill_to": ["Facturé à", "Client"],
           "subtotal": ["Total HT", "Montant HT"], "tax": ["TVA", "Total TVA"],
           "total": ["Total TTC", "Montant TTC", "Net à payer"],
           "paid": ["Acompte", "Déjà réglé"], "balance": ["Reste à payer", "Solde dû"],
           "customer_no": ["N° client", "Contrat n°"], "printed": ["Imprimé le"],
           "note": "Livraison offerte dès {amount}", "desc": ["Conseil", "Licence", "Maintenance", "Formation", "Matériel"],
           "month_names": ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
                           "octobre", "novembre", "décembre"], "date_style": ["slash", "text"]},
    "nl": {"referenced": ["Oorspronkelijke factuur"], "title": ["FACTUUR", "Factuur"], "number": ["Factuurnummer", "Factuur nr."],
           "date": ["Factuurdatum", "Datum"], "due": ["Vervaldatum", "Te betalen voor"],
           "delivery": ["Leverdatum", "Periode"], "bill_to": ["Factuur aan", "Klant"],
           "subtotal": ["Subtotaal", "Totaal excl. btw"], "tax": ["BTW", "Btw bedrag"],
           "total": ["Totaal", "Totaal incl. btw", "Totaalbedrag"],
           "paid": ["Vooruitbetaald"], "balance": ["Te betalen", "Openstaand"],
           "customer_no": ["Klantnummer"], "printed": ["Afgedrukt"],
           "note": "Gratis verzending vanaf {amount}", "desc": ["Advies", "Licentie", "Onderhoud", "Training", "Hardware"],
           "month_names": ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
                           "oktober", "november", "december"], "date_style": ["dash", "text"]},
}
LANGUAGES.update({
    "es": {"referenced": ["Factura original", "Factura rectificada"], "title": ["FACTURA", "Factura"],
           "number": ["Nº de factura", "Número de factura", "Factura nº"], "date": ["Fecha de factura", "Fecha de emisión", "Fecha"],
           "due": ["Fecha de vencimiento", "Vencimiento"], "delivery": ["Fecha de entrega", "Periodo"],
           "bill_to": ["Facturar a", "Cliente", "Datos del cliente"], "subtotal": ["Base imponible", "Total sin IVA"],
           "tax": ["IVA", "Cuota IVA"], "total": ["Total", "Importe total", "Total factura"],
           "paid": ["Anticipo", "Ya pagado"], "balance": ["Pendiente de pago", "A pagar"],
           "customer_no": ["Nº de cliente", "Contrato nº"], "printed": ["Impreso el"],
           "note": "Envío gratuito a partir de {amount}", "desc": ["Consultoría", "Licencia", "Mantenimiento", "Formación"],
           "month_names": ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre",
                           "octubre", "noviembre", "diciembre"], "date_style": ["slash", "text"],
           "terms": "Pago a {n} días"},
    "it": {"referenced": ["Fattura di riferimento"], "title": ["FATTURA", "Fattura"],
           "number": ["Fattura n.", "Numero fattura", "N. documento"], "date": ["Data fattura", "Data documento", "Data"],
           "due": ["Scadenza", "Da pagare entro", "Data scadenza"], "delivery": ["Data consegna", "Periodo"],
           "bill_to": ["Intestatario", "Spett.le", "Cliente"], "subtotal": ["Imponibile", "Totale imponibile"],
           "tax": ["IVA", "Totale IVA"], "total": ["Totale", "Totale fattura", "Totale documento"],
           "paid": ["Acconto"], "balance": ["Netto a pagare", "Totale da pagare"],
           "customer_no": ["Codice cliente", "Contratto n."], "printed": ["Stampato il"],
           "note": "Spedizione gratuita oltre {amount}", "desc": ["Consulenza", "Licenza", "Manutenzione", "Formazione"],
           "month_names": ["gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto", "settembre",
                           "ottobre", "novembre", "dicembre"], "date_style": ["slash", "text"],
           "terms": "Pagamento a {n} giorni"},
    "pt": {"referenced": ["Fatura de origem"], "title": ["FATURA", "Fatura"],
           "number": ["Fatura n.º", "N.º da fatura", "Número da fatura"], "date": ["Data de emissão", "Data da fatura", "Data"],
           "due": ["Data de vencimento", "Vencimento", "Pagar até"], "delivery": ["Data de entrega", "Período"],
           "bill_to": ["Faturar a", "Cliente", "Dados do cliente"], "subtotal": ["Total ilíquido", "Valor sem IVA"],
           "tax": ["IVA", "Total IVA"], "total": ["Total", "Total da fatura", "Total c/ IVA"],
           "paid": ["Adiantamento"], "balance": ["Total a pagar", "Em dívida"],
           "customer_no": ["Cliente n.º", "Contrato n.º"], "printed": ["Impresso em"],
           "note": "Envio grátis acima de {amount}", "desc": ["Consultoria", "Licença", "Manutenção", "Formação"],
           "month_names": ["janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho", "agosto", "setembro",
                           "outubro", "novembro", "dezembro"], "date_style": ["dash", "text"],
           "terms": "Pagamento a {n} dias"},
})
# Payment terms printed beside (or instead of) a due date: a day count the reader may add.
for _lang, _terms in (("en", "Payment terms: {n} days net"), ("de", "Zahlbar innerhalb von {n} Tagen netto"),
                      ("fr", "Paiement à {n} jours"), ("nl", "Betaling binnen {n} dagen")):
    LANGUAGES[_lang]["terms"] = _terms
SUPPLIERS = ["Northwind Traders", "Blue Harbor Software", "Kessler Maschinenbau", "Atelier Lumière",
             "Van Dijk Installaties", "Orbit Analytics", "Hansen Logistik", "Maison Girard", "Stellar Print",
             "Brightline Media", "Bakker Bouw", "Riverside Catering", "Nordlicht Energie", "Papeterie Moreau"]
FORMS = {"en": ["Ltd", "Inc.", "LLC", "Limited"], "de": ["GmbH", "AG", "KG"], "fr": ["SARL", "SAS", "SA"],
         "nl": ["B.V.", "N.V."], "es": ["S.L.", "S.A."], "it": ["S.r.l.", "S.p.A."], "pt": ["Lda.", "S.A."]}
CLIENTS = ["Greenfield Foods", "Apex Dental", "Lindqvist Consulting", "Marina Hotels", "Quantum Labs",
           "Schneider Elektro", "Dupont Immobilier", "De Vries Retail", "Summit Outdoor", "Horizon Clinics"]
STREETS = ["Market Street", "Hauptstraße", "rue de la Gare", "Kerkstraat", "Station Road", "Bahnhofstraße"]
CURRENCIES = {"en": ["USD", "GBP", "EUR"], "de": ["EUR"], "fr": ["EUR"], "nl": ["EUR"], "es": ["EUR"], "it": ["EUR"],
              "pt": ["EUR"]}
SYMBOL = {"USD": "$", "GBP": "£", "EUR": "€"}
N_TEMPLATES = 6


# How a bill names its buyer, with the share of bills drawn each way: under a heading
# ("Bill to:"), as a window address under the sender's line (no heading), as a bare address
# block, with the heading on the name's line ("Customer: …"), or beside a delivery address
# that may name someone else.
CLIENT_STYLES = (("heading", 0.4), ("window", 0.2), ("bare", 0.15), ("inline", 0.13), ("ship_and_bill", 0.12))
SHIP_TO = {"en": ["Ship to", "Deliver to"], "de": ["Lieferadresse", "Lieferanschrift"],
           "fr": ["Livré à", "Adresse de livraison"], "nl": ["Afleveradres", "Leveradres"],
           "es": ["Enviar a", "Dirección de entrega"], "it": ["Destinazione merce", "Luogo di consegna"],
           "pt": ["Local de entrega", "Morada de entrega"]}
TAX_ID_LABELS = {"en": ["VAT No.", "VAT reg. no.", "Tax ID"], "de": ["USt-IdNr.", "USt-ID"], "fr": ["N° TVA", "TVA intracom."],
                 "nl": ["BTW-nr.", "BTW nummer"], "es": ["NIF", "CIF"], "it": ["P.IVA", "Partita IVA"], "pt": ["NIF", "NIPC"]}
TOWNS = ["Springfield", "Lakeside", "Neustadt", "Villeneuve", "Oosterhout", "Riverton", "Montebello"]


def _postcode(rnd: random.Random) -> str:
    return f"{rnd.randint(10000, 99999)} {rnd.choice(TOWNS)}"


def _draw_parties(c, rnd: random.Random, L: dict, lang: str, template: int, supplier: str, client: str,
                  street_no: int, bx: float, by: float, h: float) -> None:
    """The buyer's block in one of CLIENT_STYLES, and on some bills the seller's tax id under
    its address (a printed id marks the issuer's block, whoever's name stands near)."""
    style = rnd.choices([s for s, _w in CLIENT_STYLES], [w for _s, w in CLIENT_STYLES])[0]
    street = f"{rnd.choice(STREETS)} {rnd.randint(1, 300)}"
    heading = rnd.choice(L["bill_to"])
    if style == "window":
        # a window envelope's address, under the sender's own line in small print
        c.setFont("Helvetica", 6.5)
        c.drawString(50, h - 118, f"{supplier} · {rnd.choice(STREETS)} {street_no} · {_postcode(rnd)}")
        block, x, y = [client, street, _postcode(rnd)], 50, h - 132
    elif style == "bare":
        block, x, y = [client, street, _postcode(rnd)], bx, by - 13
    elif style == "inline":
        block, x, y = [f"{heading}: {client}", street, _postcode(rnd)], bx, by
    elif style == "ship_and_bill":
        other = rnd.choice([n for n in CLIENTS if n not in client]) + " " + rnd.choice(["Warehouse", "Depot", "Site"])
        shipped = client if rnd.random() < 0.5 else other
        c.setFont("Helvetica", 9)
        c.drawString(50, by, rnd.choice(SHIP_TO[lang]) + ":")
        c.setFont("Helvetica-Bold", 10)
        c.drawString(50, by - 13, shipped)
        c.setFont("Helvetica", 9)
        c.drawString(50, by - 26, f"{rnd.choice(STREETS)} {rnd.randint(1, 300)}")
        c.drawString(50, by - 39, _postcode(rnd))
        c.drawString(330, by, heading + ":")
        block, x, y = [client, street, _postcode(rnd)], 330, by - 13
    else:
        c.setFont("Helvetica", 9)
        c.drawString(bx, by, heading + ":")
        block, x, y = [client, street], bx, by - 13
    for k, text in enumerate(block):
        c.setFont("Helvetica-Bold" if k == 0 and style != "inline" else "Helvetica", 10 if k == 0 else 9)
        c.drawString(x, y - 13 * k, text)
    if rnd.random() < 0.35 and style != "window":
        # the seller's tax id under its address (made up: not a checked number)
        c.setFont("Helvetica", 8)
        sx = 50 if template in (2, 5) else (330 if template % 2 == 1 else 50)
        c.drawString(sx, h - 94, f"{rnd.choice(TAX_ID_LABELS[lang])} {rnd.randint(10 ** 8, 10 ** 9 - 1)}")


def fmt_amount(value: float, lang: str, currency: str, style: int) -> str:
    text = f"{value:,.2f}"
    if lang != "en":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    mark = SYMBOL[currency]
    return [f"{mark}{text}", f"{text} {mark}", f"{text} {currency}", text][style]


def fmt_date(d: date, lang: str, style: str, months: list[str]) -> str:
    return {"us": f"{d.month:02d}/{d.day:02d}/{d.year}", "iso": d.isoformat(), "dot": f"{d.day:02d}.{d.month:02d}.{d.year}",
            "slash": f"{d.day:02d}/{d.month:02d}/{d.year}", "dash": f"{d.day:02d}-{d.month:02d}-{d.year}",
            "text": (f"{months[d.month - 1]} {d.day}, {d.year}" if lang == "en"
                     else f"{d.day}. {months[d.month - 1]} {d.year}" if lang == "de"
                     else f"{d.day} de {months[d.month - 1]} de {d.year}" if lang in ("es", "pt")
                     else f"{d.day} {months[d.month - 1]} {d.year}")}[style]


def make(seed: int, template: int | None = None) -> tuple[bytes, dict, int]:
    """(PDF bytes, truth, template) of one generated invoice."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    rnd = random.Random(seed)
    template = rnd.randrange(N_TEMPLATES) if template is None else template
    lang = rnd.choice(list(LANGUAGES))
    L = LANGUAGES[lang]
    pick = lambda key: rnd.choice(L[key])
    currency = rnd.choice(CURRENCIES[lang])
    amount_style = rnd.randrange(4)
    date_style = rnd.choice(L["date_style"])
    months = L["month_names"]
    supplier = f"{rnd.choice(SUPPLIERS)} {rnd.choice(FORMS[lang])}"
    client = f"{rnd.choice(CLIENTS)} {rnd.choice(FORMS[lang])}"
    issued = date(2019, 1, 1) + timedelta(days=rnd.randrange(2000))
    # some bills fall due the day they are issued ("due on receipt")
    due = issued if rnd.random() < 0.15 else issued + timedelta(days=rnd.choice([10, 14, 30, 45]))
    number = rnd.choice([f"{rnd.randint(10000, 999999)}", f"INV-{issued.year}-{rnd.randint(1, 9999):04d}",
                         f"{rnd.choice('ABFR')}{rnd.randint(100000, 9999999)}", f"{issued.year}/{rnd.randint(100, 9999)}"])
    lines = [(rnd.choice(L["desc"]), rnd.randint(1, 12), round(rnd.uniform(3, 1500), 2)) for _ in range(rnd.randint(1, 7))]
    subtotal = round(sum(q * p for _d, q, p in lines), 2)
    rate = rnd.choice([5, 7, 10, 19, 20, 21])
    tax = round(subtotal * rate / 100, 2)
    total = round(subtotal + tax, 2)
    A = lambda v: fmt_amount(v, lang, currency, amount_style)
    D = lambda d: fmt_date(d, lang, date_style, months)

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    w, h = A4
    right = template % 2 == 1  # header block on the right
    hx = 330 if right else 50
    px = 50 if right else 330
    c.setFont("Helvetica-Bold", rnd.choice([13, 15, 18]))
    title = pick("title")
    if template in (2, 5):
        c.drawString(50, h - 55, f"{supplier}")
        c.drawRightString(545, h - 55, title)  # the title on the supplier's line
    else:
        c.drawString(hx, h - 55, supplier)
        c.setFont("Helvetica-Bold", 14)
        c.drawString(px, h - 55, title)
    c.setFont("Helvetica", 9)
    street_no = rnd.randint(2, 999)
    c.drawString(hx if template not in (2, 5) else 50, h - 70, f"{rnd.choice(STREETS)} {street_no}")
    c.drawString(hx if template not in (2, 5) else 50, h - 82, f"{rnd.randint(10000, 99999)} City")
    # the buyer's block (its style drawn apart, so the rest of a seed's bill stays the same)
    by = h - 150 if template < 3 else h - 120
    bx = px if template not in (2, 5) else 330
    party = random.Random(seed * 31 + 7)
    _draw_parties(c, party, L, lang, template, supplier, client, street_no, bx, by, h)
    # the document's fields: a column of label: value, or a header row of labels over values
    fields = [(pick("number"), number), (pick("date"), D(issued)), (pick("due"), D(due)),
              (pick("customer_no"), str(rnd.randint(1000000, 99999999)))]
    if rnd.random() < 0.2:  # a correction or credit note names the invoice it refers to
        fields.append((pick("referenced"), f"{number[:-1]}{(int(number[-1]) + 3) % 10}"))
    if rnd.random() < 0.5:
        fields.append((pick("delivery"), D(issued - timedelta(days=rnd.randint(1, 20)))))
    rnd.shuffle(fields)
    fy = h - 230
    # a header row of labels over values only where every value fits its column (long
    # spelled-out dates in a row of six fields would run into each other)
    fits = all(c.stringWidth(value, "Helvetica", 9) < 495 / len(fields) - 6 for _label, value in fields)
    if template in (0, 3, 5) or not fits:
        leaders = rnd.random() < 0.3  # "Invoice date ............ 09.04.2018", the value far right
        for i, (label, value) in enumerate(fields):
            if leaders:
                c.drawString(50, fy - 13 * i, label + " " + "." * 70)
                c.drawRightString(545, fy - 13 * i, value)
            else:
                c.drawString(50, fy - 13 * i, label + ":")
                c.drawString(170, fy - 13 * i, value)
        fy -= 13 * len(fields)
    else:
        step = 495 / len(fields)
        for i, (label, value) in enumerate(fields):
            c.setFont("Helvetica-Bold", 8)
            c.drawString(50 + step * i, fy, label)
            c.setFont("Helvetica", 9)
            c.drawString(50 + step * i, fy - 12, value)
        fy -= 24
    # the lines
    y = fy - 30
    c.setFont("Helvetica-Bold", 9)
    for x, text in ((50, "Description"), (320, "Qty"), (380, "Price"), (480, "Amount")):
        c.drawString(x, y, text)
    c.setFont("Helvetica", 9)
    for desc, q, p in lines:
        y -= 14
        c.drawString(50, y, desc)
        c.drawRightString(335, y, str(q))
        c.drawRightString(440, y, A(p))
        c.drawRightString(545, y, A(q * p))
    # the totals block
    y -= 30
    tx = 330 if template != 4 else 50
    rows = [(pick("subtotal"), subtotal), (f"{pick('tax')} {rate}%", tax), (pick("total"), total)]
    prepaid = round(total * rnd.choice([0.2, 0.3, 0.5]), 2) if rnd.random() < 0.25 else 0.0
    if prepaid:
        rows += [(pick("paid"), prepaid), (pick("balance"), round(total - prepaid, 2))]
    for label, value in rows:
        c.setFont("Helvetica-Bold" if value == total else "Helvetica", 9)
        c.drawString(tx, y, label)
        c.drawRightString(tx + 215, y, A(value))
        y -= 14
    # payment terms, whose day count need not give the printed due date
    if rnd.random() < 0.4:
        c.setFont("Helvetica", 8)
        c.drawString(50, y - 10, L["terms"].format(n=rnd.choice([7, 8, 14, 30, 60])))
    # distractors below
    c.setFont("Helvetica", 7)
    if rnd.random() < 0.5:
        c.drawString(50, 140, L["note"].format(amount=A(rnd.choice([50, 100, 300, 500]) * 1.0)))
    if rnd.random() < 0.5:
        c.drawString(50, 60, f"{pick('printed')} {D(issued + timedelta(days=rnd.randint(1, 60)))}")
    c.drawString(50, 75, f"{supplier} · {rnd.choice(STREETS)} {street_no}")
    c.showPage()
    c.save()
    truth = {"invoice_id": number, "date": issued.isoformat(), "due_date": due.isoformat(), "total": total,
             "subtotal": subtotal, "total_tax_amount": tax, "currency": currency, "supplier": supplier,
             "client": client, "source": f"generated/template-{template}", "kind": "invoice"}
    if amount_style == 3:
        del truth["currency"]  # no mark printed: the page does not say
    return buf.getvalue(), truth, template
