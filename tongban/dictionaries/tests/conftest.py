from __future__ import annotations


def admin_client(client, user):
    """The Django test client logged in as ``user``, second factor done."""
    client.force_login(user)
    session = client.session
    try:
        from tongban.accounts.security import SESSION_VERIFIED
    except ImportError:  # before the second-factor work lands
        SESSION_VERIFIED = "tongban_2fa_verified"
    session[SESSION_VERIFIED] = True
    session.save()
    return client
