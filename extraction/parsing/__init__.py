"""Parsing of printed values: amounts, dates."""
