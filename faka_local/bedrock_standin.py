"""A local stand-in for the Amazon Bedrock runtime's Converse API, so reply drafts run without AWS.

``POST /_local/bedrock/model/{modelId}/converse`` takes Converse's JSON and answers in its shape:
``{"output": {"message": {"role": "assistant", "content": [{"text": ...}]}}, "usage": {"inputTokens",
"outputTokens", "totalTokens"}, "stopReason": "end_turn"}``. boto3's ``bedrock-runtime`` client is pointed here
with ``endpoint_url`` (FAKA_BEDROCK_ENDPOINT_URL), so the real adapter and botocore's own serialisation run.

It keeps every request it received (what left the shop, for tests to search for a key), answers with what a test
scripted or, by default, the first article of the prompt as the reply, and counts tokens the way the pricing
does roughly: a CJK character is a token, other text about four characters a token.
"""

from __future__ import annotations

import json
import math
import re
import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote

PREFIX = "/_local/bedrock"
_CONVERSE = re.compile(rf"^{PREFIX}/model/(?P<model>[^/]+)/converse$")
_CJK = re.compile(r"[\u3000-\u9fff\uac00-\ud7af\uff00-\uffef]")
_ARTICLE = re.compile(r"^## (?P<title>.+)\n(?P<body>[^\n]+)", re.MULTILINE)
# Without an article to ground it, the default answer is unsure.
GROUNDED_CONFIDENCE = 0.9
UNGROUNDED_CONFIDENCE = 0.3


def count_tokens(text: str) -> int:
    cjk = len(_CJK.findall(text))
    return cjk + math.ceil((len(text) - cjk) / 4)


class BedrockStandIn:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._received: list[dict[str, Any]] = []
        self._scripted: deque[str] = deque()

    @staticmethod
    def handles(path: str) -> bool:
        return _CONVERSE.match(path) is not None

    def script(self, reply: str, confidence: float) -> None:
        """The next answer: the JSON object the drafts ask the model for."""
        with self._lock:
            self._scripted.append(json.dumps({"reply": reply, "confidence": confidence}, ensure_ascii=False))

    def received(self) -> list[dict[str, Any]]:
        """Every request body received, with its model id under ``modelId``."""
        with self._lock:
            return list(self._received)

    def converse(self, path: str, body: bytes) -> tuple[int, dict[str, Any]]:
        match = _CONVERSE.match(path)
        try:
            request = json.loads(body)
        except json.JSONDecodeError:
            request = None
        texts = _texts(request) if isinstance(request, dict) else None
        if match is None or not texts:
            return 400, {"message": "messages: a user message with text content is required"}
        with self._lock:
            self._received.append({"modelId": unquote(match["model"]), **request})
            answer = self._scripted.popleft() if self._scripted else None
        answer = answer or _default_answer(texts[-1])
        input_tokens = sum(count_tokens(text) for text in texts)
        output_tokens = count_tokens(answer)
        return 200, {
            "output": {"message": {"role": "assistant", "content": [{"text": answer}]}},
            "usage": {
                "inputTokens": input_tokens,
                "outputTokens": output_tokens,
                "totalTokens": input_tokens + output_tokens,
            },
            "stopReason": "end_turn",
            "metrics": {"latencyMs": 1},
        }

    @contextmanager
    def serve(self) -> Iterator[str]:
        """Listen on a free local port; yields the endpoint URL to give boto3."""
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                status, answer = stand_in.converse(self.path, body)
                data = json.dumps(answer, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                if status != 200:
                    self.send_header("x-amzn-ErrorType", "ValidationException")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                return

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}{PREFIX}"
        finally:
            server.shutdown()
            server.server_close()


def _texts(request: dict[str, Any]) -> list[str]:
    """The system prompt's and the messages' texts, in order."""
    blocks = [*request.get("system", ()), *(b for m in request.get("messages", ()) for b in m.get("content", ()))]
    return [block["text"] for block in blocks if isinstance(block, dict) and isinstance(block.get("text"), str)]


def _default_answer(prompt: str) -> str:
    article = _ARTICLE.search(prompt)
    if article is None:
        reply, confidence = "A colleague will look into this and reply soon.", UNGROUNDED_CONFIDENCE
    else:
        reply, confidence = f"{article['title']}: {article['body']}", GROUNDED_CONFIDENCE
    return json.dumps({"reply": reply, "confidence": confidence}, ensure_ascii=False)
