"""The session cookie's signing serializer is built once per secret key (live events are requests)."""
def test_the_serializer_is_reused_until_the_secret_changes(app):
    interface = app.session_interface
    first = interface.get_signing_serializer(app)
    assert interface.get_signing_serializer(app) is first
    old_key = app.secret_key
    try:
        app.secret_key = old_key + "-rotated"
        rotated = interface.get_signing_serializer(app)
        assert rotated is not first
        assert rotated.loads(rotated.dumps({"a": 1})) == {"a": 1}
        assert first.loads(first.dumps({"a": 1})) == {"a": 1}
        # a cookie signed with the old key no longer verifies with the new serializer
        cookie = first.dumps({"a": 1})
        assert _fails(rotated, cookie)
    finally:
        app.secret_key = old_key


def _fails(serializer, cookie: str) -> bool:
    from itsdangerous import BadSignature

    try:
        serializer.loads(cookie)
    except BadSignature:
        return True
    return False
