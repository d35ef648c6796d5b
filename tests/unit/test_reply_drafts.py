"""Reply drafts' pricing and prompt, without AWS: what a draft costs and what it is given."""

from __future__ import annotations

from faka.knowledge import Article
from faka.support.drafts import PRICES, Usage, prompt


def test_tokens_are_priced_per_million_and_an_inference_profile_costs_what_its_model_does() -> None:
    price_in, price_out = PRICES["amazon.nova-lite-v1:0"]

    usage = Usage.of("us.amazon.nova-lite-v1:0", 1_000, 200)

    assert usage.cost_micro_usd == round(1_000 * price_in + 200 * price_out) == 108


def test_an_unpriced_model_has_no_cost_and_neither_has_a_total_it_is_part_of() -> None:
    unpriced = Usage.of("meta.llama3-8b-instruct-v1:0", 500, 100)

    total = Usage.of("amazon.nova-micro-v1:0", 500, 100) + unpriced

    assert unpriced.cost_micro_usd is None
    assert (total.input_tokens, total.output_tokens, total.cost_micro_usd) == (1_000, 200, None)


def test_the_prompt_gives_the_articles_then_the_thread_oldest_first_and_says_when_no_article_matches() -> None:
    article = Article("redeem-steam", "en", "Redeeming on Steam", "Games > Activate a Product on Steam.")

    text = prompt([("buyer", "how do I redeem?"), ("assistant", "A colleague will reply.")], [article])
    bare = prompt([("buyer", "qwxz")], [])

    assert text.index("## Redeeming on Steam") < text.index("[buyer] how do I redeem?")
    assert text.index("[buyer] how do I redeem?") < text.index("[assistant] A colleague will reply.")
    assert "(none matches this ticket)" in bare
