"""Each live connection's rooms are indexed: a disconnect leaves its own rooms without scanning the
server's (python-socketio scans them all: N phones leaving together cost N x N)."""
from app.core.realtime import NAMESPACE, RoomIndex
from app.extensions import socketio
from tests.factories import make_user, socket_client, token_for


class NoScan(dict):
    """A namespace's rooms that refuse to be walked through."""

    def copy(self):
        raise AssertionError("a disconnect walked through every room")

    def items(self):
        raise AssertionError("a disconnect walked through every room")


def _sid(sock) -> str:
    return socketio.server.manager.sid_from_eio_sid(sock.eio_sid, NAMESPACE)


def test_the_app_indexes_rooms_per_connection(app):
    assert isinstance(socketio.server.manager, RoomIndex)


def test_a_disconnect_leaves_its_rooms_without_walking_through_the_others(app, client, session):
    users = [make_user(session) for _ in range(3)]
    session.commit()
    sockets = [socket_client(app, token=token_for(client, user)) for user in users]
    manager = socketio.server.manager
    leaving, staying = sockets[0], sockets[1:]
    sid = _sid(leaving)
    own_rooms = set(manager.get_rooms(sid, NAMESPACE))
    assert sid in own_rooms and f"user:{users[0].id}" in own_rooms
    original = manager.rooms[NAMESPACE]
    manager.rooms[NAMESPACE] = NoScan(original)
    try:
        leaving.disconnect(namespace=NAMESPACE)
    finally:
        manager.rooms[NAMESPACE] = dict.copy(manager.rooms[NAMESPACE])
    rooms = manager.rooms[NAMESPACE]
    assert not any(sid in members for members in rooms.values())
    assert all(room not in rooms for room in own_rooms)  # its own rooms are gone, not left empty
    assert manager.get_rooms(sid, NAMESPACE) == []
    for sock in staying:
        assert sock.is_connected(NAMESPACE)
        assert f"user:{users[sockets.index(sock)].id}" in manager.get_rooms(_sid(sock), NAMESPACE)
        sock.disconnect(namespace=NAMESPACE)
