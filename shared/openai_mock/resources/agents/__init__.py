"""The Agents API (beta): agent definitions (`definitions`), vaults and their credentials (`vaults`), and beside
them the environments, sessions and automations that run agents."""
