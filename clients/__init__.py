"""Organisation clients: partner systems (the utility, a pool's till, the transport operator) that call the API as
themselves with OAuth 2.0 client-credentials tokens limited to a few scopes."""
