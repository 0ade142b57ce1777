"""Session lifetime and second-factor enforcement (security.md, identity and sessions).

Placeholders for the project skeleton; the accounts-security work replaces them."""


class SessionLifetimeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)


class SecondFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)
