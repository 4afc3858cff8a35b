"""Signed webhooks: an organisation's own systems told, by HTTPS POST, that something happened
(docs/webhooks.md)."""
