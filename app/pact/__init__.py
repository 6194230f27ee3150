"""The Patto per lo sviluppo (issue 4): work in progress, not yet registered in app.DOMAINS."""
