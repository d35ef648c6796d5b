"""Amazon Bedrock's Converse API as the reply drafts' model (faka.support.drafts.ReplyModel)."""

from __future__ import annotations

from typing import Any

from faka.support.drafts import ModelReply

# Drafts are suggestions: a stable, plain answer, not a creative one.
TEMPERATURE = 0.2


class BedrockConverse:
    def __init__(self, client: Any, model_id: str) -> None:
        """``client``: a boto3 ``bedrock-runtime`` client."""
        self._client = client
        self.model_id = model_id

    def converse(self, system: str, prompt: str, *, max_tokens: int) -> ModelReply:
        response = self._client.converse(
            modelId=self.model_id,
            system=[{"text": system}],
            messages=[{"role": "user", "content": [{"text": prompt}]}],
            inferenceConfig={"maxTokens": max_tokens, "temperature": TEMPERATURE},
        )
        content = response["output"]["message"]["content"]
        usage = response["usage"]
        return ModelReply(
            text="".join(block.get("text", "") for block in content),
            input_tokens=int(usage["inputTokens"]),
            output_tokens=int(usage["outputTokens"]),
            stop_reason=response["stopReason"],
        )
