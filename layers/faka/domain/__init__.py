"""faka's business rules: catalog and stock, orders, payments, key issuance, notifications."""
