"""MTGStocks (api.mtgstocks.com, undocumented): settings, HTTP client, response parsing into typed
records, and a local fake server speaking the same wire format."""
