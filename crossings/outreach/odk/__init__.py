"""ODK: the OpenRosa server (auth, responses, views, media, ingest), the XLSForms it serves (xlsforms,
forms_registry) and the decryption of encrypted submissions (decrypt)."""
