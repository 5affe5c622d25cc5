"""Storage and business logic: accounts, documents, validations, the document service
and the workers that run the extraction engine."""
