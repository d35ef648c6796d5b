"""Storefront routes: products, orders, the buyer's order page, pre-purchase advice."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import Annotated
from urllib.parse import urlsplit

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Header, Path, Query
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from api.http import json_response, open_shop_id, product_view, source_ip, viewer_country
from api.idempotency_key import IdempotencyKey, answer_once
from api.schemas.activation import ActivationReport, ActivationView, AdviceView
from api.schemas.catalog import ProductList
from api.schemas.common import DEVICE_ID_DESCRIPTION, DEVICE_ID_PATTERN, Locale, answers
from api.schemas.orders import (
    GuideView,
    Milestone,
    OrderActions,
    OrderCreated,
    OrderDraft,
    OrderKeyPart,
    OrderKeyView,
    OrderView,
    StorefrontView,
)
from faka.activation.activation import ActivationStatus
from faka.activation.advice import MIN_SAMPLE, advise
from faka.buyer import order_page
from faka.catalog.codes import mask_code
from faka.errors import InvalidRequest
from faka.insight.ratings import eligibility
from faka.observability import metrics
from faka.payments.devices import BuyerDevice, start_checkout
from faka.sales.orders import OrderRequest
from faka.sales.redaction import mask_email
from faka.security import bearer_token
from faka.shared.model import Order, OrderStatus, Product
from faka.trust.risk import Buyer
from faka.wiring import services

router = APIGatewayRouter()

OrderId = Annotated[str, Path(max_length=64)]
BUYER_CREDENTIAL: dict[int, OpenAPIResponse] = {
    401: {"description": "An expired (expired_link) or altered (invalid_link) order-page token"},
    404: {"description": "Unknown order or wrong access token"},
}


def _buyers_order(order_id: str) -> Order:
    """The order, for the holder of its access token or of an order-page token for it."""
    return services().orders.get_for_buyer(order_id, bearer_token(router.current_event.headers.get("authorization")))


def _check_return_url(asked: str) -> None:
    """The payment page sends the buyer back only to a page of the shop's own origin, never to another site."""
    base = services().settings.public_base_url.rstrip("/")
    wanted, own = urlsplit(asked), urlsplit(base)
    if (wanted.scheme, wanted.netloc) != (own.scheme, own.netloc):
        raise InvalidRequest(f"return_url must be a page of {base}", code="invalid_return_url")


@router.get(
    "/v1/products", responses={200: {"description": "The shop's products"}, 404: {"description": "Unknown shop"}}
)
def list_products() -> ProductList:
    shop_id = open_shop_id(router.current_event)
    recommended = services().ratings.recommended_skus(shop_id)
    payments = services().payment_methods.settings(shop_id)
    return ProductList(
        products=[
            product_view(p).model_copy(
                update={"recommended": p.sku in recommended, "payment_methods": payments.methods_for(p.currency)}
            )
            for p in services().catalog.listed(shop_id)
        ],
        payment_methods=list(payments.methods),
    )


@router.post(
    "/v1/orders",
    responses={
        201: answers(OrderCreated, "Order created"),
        400: {"description": "Invalid order"},
        409: {"description": "The Idempotency-Key was used with another body, or its first request is still running"},
    },
)
def create_order(
    draft: Annotated[OrderDraft, Body()],
    device_header: Annotated[
        str | None, Header(alias="x-faka-device", pattern=DEVICE_ID_PATTERN, description=DEVICE_ID_DESCRIPTION)
    ] = None,
    idempotency_key: IdempotencyKey = None,
) -> Response[str]:
    shop_id = open_shop_id(router.current_event)
    return answer_once(
        idempotency_key,
        ("POST /v1/orders", shop_id),
        draft.model_dump(mode="json"),
        lambda: _place_order(shop_id, draft, device_header),
    )


def _place_order(shop_id: str, draft: OrderDraft, device_header: str | None) -> Response[str]:
    if draft.return_url is not None:
        _check_return_url(draft.return_url)
    buyer = Buyer(
        str(draft.email),
        source_ip(router.current_event),
        viewer_country(router.current_event),
        draft.device_id or device_header,
    )
    product = services().catalog.product(shop_id, draft.sku)
    # Chosen and checked before the order exists: a method the shop cannot take leaves nothing half-created.
    method, provider = services().payment_methods.for_checkout(shop_id, draft.payment_method, product.currency)
    order, token = services().orders.place(
        OrderRequest(
            shop_id=shop_id,
            sku=draft.sku,
            quantity=draft.quantity,
            email=buyer.email,
            locale=draft.locale,
            buyer_ip=buyer.ip,
            buyer_country=buyer.country,
            device_id=buyer.device_id,
            hold_rules=tuple(services().risk_signals.screen_checkout(buyer, datetime.now(UTC))),
            payment_method=method,
        )
    )
    device = BuyerDevice.of(router.current_event.headers.get("user-agent"), buyer.ip)
    payment = start_checkout(
        provider,
        device,
        order_id=order.order_id,
        amount=order.amount,
        currency=order.currency,
        description=f"{product.name} × {order.quantity}",
        email=order.email,
        return_url=draft.return_url or f"{services().settings.public_base_url.rstrip('/')}/o/{order.order_id}",
    )
    if services().settings.payment_provider == "sandbox" and method != "stripe":
        # The sandbox pays a QR code or a transfer for the buyer: the storefront offers it as a button.
        payment["sandbox_pay_url"] = f"{services().settings.public_base_url.rstrip('/')}/_local/pay/{order.order_id}"
    # Kept on the order: the page the buyer's email links to shows how to pay while the order waits.
    payment["method"] = method
    services().orders.record_checkout(order.order_id, payment)
    metrics.add_metric(name="OrdersCreated", unit="Count", value=1)
    created = OrderCreated(
        order_id=order.order_id,
        access_token=token,
        status=order.stored_status.value,
        amount=order.amount,
        currency=order.currency,
        expires_at=order.expires_at.isoformat(),
        payment=payment,
    )
    return json_response(201, created.model_dump())


@router.get("/v1/orders/<order_id>", responses={200: {"description": "The order"}, **BUYER_CREDENTIAL})
def get_order(
    order_id: OrderId,
    reveal: Annotated[bool, Query(description="false: the keys' codes are left out (only masked)")] = True,
    locale: Annotated[Locale | None, Query(description="The guide's language; default the order's")] = None,
) -> OrderView:
    order = _buyers_order(order_id)
    now = datetime.now(UTC)
    product = services().catalog.product(order.shop_id, order.sku)
    keys = _keys(order, product, reveal=reveal)
    if any(key.code for key in keys):
        services().disputes.note_key_view(order.order_id)  # chargeback evidence: the buyer saw the codes
    ratings = services().ratings
    rating = eligibility(order, now, ratings.rules.eligible_hours_after_delivery)
    reasons = order_page.actions(order, now, rating, rated=ratings.get(order.order_id) is not None)
    guide_locale = services().templates.locale_for(locale or order.locale)
    # Only an order some line of which was asked back has refunds to read.
    refunds = services().refunds.for_order(order.order_id) if any(line.refund_id for line in order.lines) else []
    return OrderView(
        order_id=order.order_id,
        order_number=order.order_id[:8],
        shop_id=order.shop_id,
        locale=order.locale,
        email_masked=mask_email(order.email),
        status=order.status_at(now).value,
        sku=order.sku,
        product_name=product.name,
        platform=product.platform,
        region=product.region,
        quantity=order.quantity,
        amount=order.amount,
        currency=order.currency,
        created_at=order.created_at.isoformat(),
        paid_at=order.paid_at.isoformat() if order.paid_at else None,
        delivered_at=order.delivered_at.isoformat() if order.delivered_at else None,
        timeline=[Milestone(status=m.status, at=m.at.isoformat()) for m in order_page.timeline(order, now, refunds)],
        activation=order_page.activation(order).value,
        keys=keys,
        guide=GuideView(
            platform=product.platform,
            region=product.region,
            locale=guide_locale,
            steps=order_page.guide_steps(services().templates, product, guide_locale),
        ),
        actions=OrderActions(**{action: reason is None for action, reason in reasons.items()}),
        actions_reasons={action: reason for action, reason in reasons.items() if reason is not None},
        payment=dict(order.checkout)
        if order.checkout and order.status_at(now) is OrderStatus.PENDING_PAYMENT
        else None,
    )


def _keys(order: Order, product: Product, *, reveal: bool) -> list[OrderKeyView]:
    """Each delivered key with its state; the code only when asked for and still the buyer's."""
    lines = {line.line_no: line for line in order.lines}
    products = {order.sku: product}
    views = []
    for line_no, card in services().delivered_keys.cards(order):
        line = lines[line_no]
        shown = reveal and order_page.shows_code(line)
        sku = line.sku or order.sku
        if sku not in products:
            products[sku] = services().catalog.product(order.shop_id, sku)
        views.append(
            OrderKeyView(
                line=line_no,
                line_no=line_no,
                code=card.code if shown else None,
                masked=mask_code(card.code),
                platform=products[sku].platform,
                region=products[sku].region,
                state=order_page.key_state(line).value,
                parts=[
                    OrderKeyPart(name=part.name, value=part.value if shown else None, masked=mask_code(part.value))
                    for part in card.parts
                ],
            )
        )
    return views


@router.post(
    "/v1/orders/<order_id>/activation",
    responses={
        200: {"description": "The order's activation after the report"},
        400: {"description": "The order has no delivered key (not_delivered)"},
        **BUYER_CREDENTIAL,
    },
)
def report_activation(order_id: OrderId, report: Annotated[ActivationReport, Body()]) -> ActivationView:
    """The buyer says the keys worked, or did not: the same as the email's buttons, counted once."""
    order = _buyers_order(order_id)
    services().link_actions.report(order, ActivationStatus(report.status), source="order_page")
    return ActivationView(activation=order_page.activation(services().orders.get(order.order_id)).value)


@router.get("/v1/storefront", responses={200: {"description": "The shop"}, 404: {"description": "Unknown shop"}})
def storefront(
    shop: Annotated[str | None, Query(max_length=64, description="Else X-Faka-Shop")] = None,
) -> StorefrontView:
    """What the storefront page needs before it lists products: the shop, how buyers pay, the buyer's country."""
    shop_id = shop or open_shop_id(router.current_event)
    found = services().shops.get(shop_id)
    payments = services().payment_methods.settings(shop_id)
    currencies = Counter(p.currency for p in services().catalog.listed(shop_id))
    return StorefrontView(
        shop_id=found.shop_id,
        name=found.name,
        currency=payments.currency or (currencies.most_common(1)[0][0] if currencies else None),
        # Stripe's checkout is the sandbox's locally.
        payment_methods=list(payments.methods),
        country=viewer_country(router.current_event),
        locales=sorted(services().templates.locales),
    )


@router.get("/v1/products/<sku>/advice")
def product_advice(sku: str, country: Annotated[str, Query(pattern=r"^[A-Za-z]{2}$")]) -> AdviceView:
    shop_id = open_shop_id(router.current_event)
    product = services().catalog.listed_product(shop_id, sku)
    advice = advise(services().counters, product, services().catalog.listed(shop_id), country)
    if advice is None:
        return AdviceView(
            sku=sku,
            country=country.upper(),
            recommended_region=None,
            recommended_sku=None,
            share=None,
            sample=None,
            message=f"Not enough activations from {country.upper()} yet (fewer than {MIN_SAMPLE}).",
        )
    return AdviceView(
        sku=sku,
        country=country.upper(),
        recommended_region=advice.region,
        recommended_sku=advice.sku,
        share=advice.share,
        sample=advice.sample,
        message=f"{round(advice.share * 100)}% of buyers from {country.upper()} activated a {advice.region} card.",
    )
