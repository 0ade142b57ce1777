from django.contrib.auth.backends import ModelBackend


class CaseInsensitiveModelBackend(ModelBackend):
    """Usernames are matched regardless of case (the manager's natural key does it);
    disabled accounts cannot authenticate and their sessions stop resolving."""
