"""AutoMana backend: FastAPI app, services, repositories."""
