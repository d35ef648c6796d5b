"""Local stand-ins for the IM services alert channels post to: Telegram's Bot API ``sendMessage``.

``faka local`` points Telegram alert channels here (FAKA_TELEGRAM_API_URL), so an operator sees the alerts a
Telegram group would get at ``GET /_local/telegram`` without a bot or the internet.
"""

from __future__ import annotations

import json
import re
import threading
from collections import deque
from datetime import UTC, datetime
from typing import Any

PREFIX = "/_local/telegram"
_SEND = re.compile(rf"^{PREFIX}/bot(?P<token>[^/]+)/sendMessage$")
_KEPT = 500


class TelegramStandIn:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._messages: deque[dict[str, Any]] = deque(maxlen=_KEPT)

    @staticmethod
    def handles(path: str) -> bool:
        return _SEND.match(path) is not None

    def send_message(self, path: str, body: bytes) -> tuple[int, dict[str, Any]]:
        """What the Bot API answers: ``{"ok": true, "result": message}``, or 400 for a body it cannot read."""
        match = _SEND.match(path)
        try:
            request = json.loads(body)
        except json.JSONDecodeError:
            request = None
        if match is None or not isinstance(request, dict) or not request.get("chat_id") or not request.get("text"):
            return 400, {"ok": False, "error_code": 400, "description": "Bad Request: chat_id and text are required"}
        with self._lock:
            message = {
                "message_id": len(self._messages) + 1,
                "date": int(datetime.now(UTC).timestamp()),
                "chat": {"id": request["chat_id"]},
                "text": request["text"],
                # Which bot sent it, without its secret part.
                "bot": match["token"].partition(":")[0],
            }
            self._messages.append(message)
        return 200, {"ok": True, "result": message}

    def messages(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._messages)
