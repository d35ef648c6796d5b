"""Reply drafts: tokens and cost per ticket, from Converse's ``usage``, through the real adapter and botocore.

    .venv/bin/python benchmarks/drafts.py

Every question of ``data/knowledge/heldout.jsonl`` (FAQ questions and order problems, four locales) becomes a
handed-off ticket's thread (the buyer's message, the assistant's hand-off line); its draft request is built as
``faka.support.drafts`` builds it (system prompt, the closest default articles, the thread) and sent with
:class:`faka.adapters.bedrock.BedrockConverse` to the local Converse stand-in, whose ``usage`` is priced with
``faka.support.drafts.PRICES``. The stand-in counts tokens as a rule of thumb (a CJK character one token, other
text four characters a token) and answers with the first article: a real model's tokenizer and longer answers
differ, so the output side is given at the stand-in's length and at MAX_REPLY_TOKENS (the most a draft costs).
Asserts nothing.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "layers"), str(ROOT)]

import boto3  # noqa: E402

from faka.adapters.bedrock import BedrockConverse  # noqa: E402
from faka.knowledge import default_knowledge_base, locale_of  # noqa: E402
from faka.support.drafts import MAX_REPLY_TOKENS, PRICES, SYSTEM_PROMPT, Usage, closest_articles, prompt  # noqa: E402
from faka_local.bedrock_standin import BedrockStandIn  # noqa: E402

HELDOUT = ROOT / "data" / "knowledge" / "heldout.jsonl"
HANDOFF = "Thanks, a colleague will look into this and reply here soon."
MODEL = "amazon.nova-lite-v1:0"


def _dollars(micro: float) -> str:
    return f"${micro / 1_000_000:.6f}"


def main() -> None:
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "benchmark")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "benchmark")
    rows = [json.loads(line) for line in HELDOUT.read_text(encoding="utf-8").splitlines() if line.strip()]
    base = default_knowledge_base()
    stand_in = BedrockStandIn()
    usages: dict[str, list[Usage]] = defaultdict(list)
    grounded = 0
    with stand_in.serve() as url:
        client = boto3.client("bedrock-runtime", endpoint_url=url, region_name="us-east-1")
        model = BedrockConverse(client, MODEL)
        for row in rows:
            locale = locale_of(row["locale"])
            articles = closest_articles(base, [row["text"]], locale)
            grounded += bool(articles)
            system = SYSTEM_PROMPT.format(name="the shop", locale=locale)
            reply = model.converse(
                system, prompt([("buyer", row["text"]), ("assistant", HANDOFF)], articles), max_tokens=MAX_REPLY_TOKENS
            )
            usages[locale].append(Usage(reply.input_tokens, reply.output_tokens, None))
    every = [usage for per_locale in usages.values() for usage in per_locale]
    print(f"reply drafts: {len(every)} handed-off tickets, {grounded} with at least one article (model {MODEL})")
    print(f"{'locale':8} {'tickets':>7} {'input mean':>10} {'input p95':>9} {'output mean':>11}")
    for locale, found in [*sorted(usages.items()), ("all", every)]:
        inputs = sorted(u.input_tokens for u in found)
        print(
            f"{locale:8} {len(found):7} {statistics.mean(inputs):10.0f} {inputs[int(0.95 * (len(inputs) - 1))]:9} "
            f"{statistics.mean(u.output_tokens for u in found):11.0f}"
        )
    mean_in = Decimal(statistics.mean(u.input_tokens for u in every))
    mean_out = Decimal(statistics.mean(u.output_tokens for u in every))
    print(f"\ncost per ticket (one draft), USD; output at the stand-in's length / at {MAX_REPLY_TOKENS} tokens")
    print(f"{'model':44} {'per ticket':>12} {'at max':>12} {'per 1,000':>10}")
    for model_id, (price_in, price_out) in PRICES.items():
        typical = mean_in * price_in + mean_out * price_out
        most = mean_in * price_in + MAX_REPLY_TOKENS * price_out
        per_thousand = f"${float(typical) / 1000:.3f}"
        print(f"{model_id:44} {_dollars(float(typical)):>12} {_dollars(float(most)):>12} {per_thousand:>10}")


if __name__ == "__main__":
    main()
