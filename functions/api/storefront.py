"""Storefront routes: products, orders, the buyer's order page, pre-purchase advice."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Header, Path, Query
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from api.http import delivered_keys, json_response, open_shop_id, product_view, source_ip
from api.schemas import (
    DEVICE_ID_DESCRIPTION,
    DEVICE_ID_PATTERN,
    AdviceView,
    OrderCreated,
    OrderDraft,
    OrderView,
    ProductList,
)
from faka.domain.advice import MIN_SAMPLE, advise
from faka.domain.orders import OrderRequest
from faka.domain.risk import Buyer
from faka.observability import metrics
from faka.security import bearer_token
from faka.wiring import services

router = APIGatewayRouter()


@router.get("/v1/products", responses={404: {"description": "Unknown shop"}})
def list_products() -> ProductList:
    shop_id = open_shop_id(router.current_event)
    recommended = services().ratings.recommended_skus(shop_id)
    return ProductList(
        products=[
            product_view(p).model_copy(update={"recommended": p.sku in recommended})
            for p in services().catalog.products(shop_id)
        ]
    )


@router.post("/v1/orders", responses={201: {"description": "Order created"}, 400: {"description": "Invalid order"}})
def create_order(
    draft: Annotated[OrderDraft, Body()],
    device_header: Annotated[
        str | None, Header(alias="x-faka-device", pattern=DEVICE_ID_PATTERN, description=DEVICE_ID_DESCRIPTION)
    ] = None,
) -> Response[str]:
    shop_id = open_shop_id(router.current_event)
    buyer = Buyer(
        str(draft.email),
        source_ip(router.current_event),
        router.current_event.headers.get("cloudfront-viewer-country"),
        draft.device_id or device_header,
    )
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
        )
    )
    product = services().catalog.product(shop_id, draft.sku)
    payment = services().payment_provider.checkout(
        order_id=order.order_id,
        amount=order.amount,
        currency=order.currency,
        description=f"{product.name} × {order.quantity}",
        email=order.email,
    )
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


@router.get("/v1/orders/<order_id>", responses={404: {"description": "Unknown order or wrong token"}})
def get_order(order_id: Annotated[str, Path(max_length=64)]) -> OrderView:
    order = services().orders.get_for_buyer(order_id, bearer_token(router.current_event.headers.get("authorization")))
    product = services().catalog.product(order.shop_id, order.sku)
    keys = delivered_keys(order, masked=False)
    if keys:
        services().disputes.note_key_view(order.order_id)  # chargeback evidence: the buyer saw the codes
    return OrderView(
        order_id=order.order_id,
        status=order.status_at(datetime.now(UTC)).value,
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
        keys=keys,
    )


@router.get("/v1/products/<sku>/advice")
def product_advice(sku: str, country: Annotated[str, Query(pattern=r"^[A-Za-z]{2}$")]) -> AdviceView:
    shop_id = open_shop_id(router.current_event)
    product = services().catalog.product(shop_id, sku)
    advice = advise(services().counters, product, services().catalog.products(shop_id), country)
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
