"""Payment providers: starting a checkout, and reading the provider's signed word that it was paid."""
