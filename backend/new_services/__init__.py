"""Service layer: business logic, one folder per domain, registered by key in service_manager."""
