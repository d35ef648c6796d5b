"""AWS adapters behind the domain's ports."""
