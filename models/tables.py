"""Every mapped table, imported in one place for migrations and metadata."""
from .account import Account  # noqa: F401
from .document import Document  # noqa: F401
from .validation import Validation  # noqa: F401
from .user import User, UserSession  # noqa: F401
from .learning import SupplierObservation, SupplierProfile, ValidationLearning  # noqa: F401
from .staple import ServerSecret, StapleUser  # noqa: F401
from .webhook_delivery import WebhookDelivery  # noqa: F401
from .itemize import ItemizeAccount, ItemizeDocument, ItemizeWebhook  # noqa: F401
from .klippa import KlippaPublicKey, KlippaScan, KlippaSubKey, KlippaUserDataSet, KlippaUserDataSetRecord  # noqa: F401
