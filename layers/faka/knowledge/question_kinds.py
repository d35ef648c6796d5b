"""What kind of question a text asks, as features retrieval counts next to its words.

"How long" is asked of several articles: of a refund (refund-policy), of the support team's answer (support-hours),
of a key's life (key-expiry), and, with no other subject, of the delivery. A question's words alone lean on
"多久 … 收到" and pull a refund's timing toward the delivery article; one feature per kind of timing question,
present in the articles' example questions and in the buyer's, pulls it back. The patterns read the triage's
normalised text: lower case, no accents, Traditional characters folded to Simplified.
"""

from __future__ import annotations

import re

_TIMING = re.compile(
    r"多久|多长时间|多快|几天|几耐|几时|几点|几分钟|什么时候|几个工作|"
    r"how long|how many (?:business |working )?days|how fast|how soon|what time|when (?:will|does|do|is|are)|"
    r"cuanto (?:tarda|tiempo|demora)|cuantos dias|a que hora|cuando"
)
# The subject that makes a timing question another article's than the delivery's.
_SUBJECTS = {
    "refund": re.compile(r"退款|退费|退钱|退回|refund|money back|reembols|devoluci|devuelv"),
    "support": re.compile(
        r"客服|回复|回覆|回消息|什么时候回|多久回|会回|真人|人工|support|reply|answer|respond|atiend|soporte"
    ),
    # Also how long a key keeps: "可以放多久", "要在几天内兑换", "keep it until", "guardarla".
    "expiry": re.compile(
        r"过期|失效|期限|有效|放多久|保存|内兑换|内使用|expire|expiry|\bvalid|keep|caduc|venc|guardar"
    ),
}


def question_kinds(normalized: str) -> list[str]:
    """The kinds of question ``normalized`` asks: ``kind:<subject>-timing`` for each subject its timing question is
    about, ``kind:timing`` for one about none of them (the delivery), nothing for a question that is no timing one."""
    if not _TIMING.search(normalized):
        return []
    subjects = [name for name, pattern in _SUBJECTS.items() if pattern.search(normalized)]
    return [f"kind:{subject}-timing" for subject in subjects] or ["kind:timing"]
