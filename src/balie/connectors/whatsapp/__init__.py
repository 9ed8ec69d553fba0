"""The WhatsApp Business Platform (Cloud API) connector."""
