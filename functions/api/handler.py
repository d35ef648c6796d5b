"""The HTTP API: storefront, operator and payment-webhook routes behind API Gateway.

Routes parse and authorize, call one domain service and shape the answer; rules live in ``faka``.
"""

from __future__ import annotations

import csv
import html
import io
import json
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Annotated, Any

import stripe
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)
from aws_lambda_powertools.utilities.idempotency.exceptions import IdempotencyAlreadyInProgressError
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import ValidationError

from api.schemas import (
    ActivationCallback,
    ActivationReceipt,
    AdviceView,
    BatchStatusChange,
    DeliveredKey,
    ImportReport,
    KeyImport,
    OperatorActivation,
    OperatorOrderView,
    OrderCreated,
    OrderDraft,
    OrderView,
    ProductDraft,
    ProductList,
    ProductView,
    RejectedKey,
    ShopCreated,
    ShopDraft,
    TicketList,
    TicketView,
    WebhookReceipt,
)
from faka import resources
from faka.domain.activation import ActivationSignal, ActivationStatus, SignalSource
from faka.domain.advice import MIN_SAMPLE, advise
from faka.domain.codes import mask_code
from faka.domain.issuance import ContendedStock
from faka.domain.links import LinkAction
from faka.domain.model import BatchStatus, Order, PaymentConfirmation, Product
from faka.domain.orders import OrderRequest
from faka.domain.reminders import template_key
from faka.domain.reports import activation_report
from faka.errors import FakaError, InvalidRequest, NotFound
from faka.observability import logger, metrics, tracer
from faka.payments.stripe_webhook import SIGNATURE_TOLERANCE_SECONDS, Ignored, verify_stripe_event
from faka.security import bearer_token
from faka.wiring import services

app = APIGatewayRestResolver(enable_validation=True)
idempotency_store = DynamoDBPersistenceLayer(table_name=resources.IDEMPOTENCY_TABLE)
# Stripe retries for up to three days; a replay within a week is answered from the first outcome.
idempotency_config = IdempotencyConfig(event_key_jmespath="event_id", expires_after_seconds=7 * 24 * 3600)


def _problem(status: int, code: str, message: str, details: Any = None) -> Response[str]:
    body: dict[str, Any] = {"code": code, "message": message}
    if details is not None:
        body["details"] = details
    return Response(status_code=status, content_type=content_types.APPLICATION_JSON, body=json.dumps(body))


def _json(status: int, body: Any) -> Response[str]:
    return Response(status_code=status, content_type=content_types.APPLICATION_JSON, body=json.dumps(body))


@app.exception_handler(FakaError)
def _domain_error(error: FakaError) -> Response[str]:
    return _problem(error.status, error.code, error.message, error.details)


@app.exception_handler(RequestValidationError)
def _invalid_request(error: RequestValidationError) -> Response[str]:
    details = [{"loc": list(e.get("loc", ())), "msg": e.get("msg"), "type": e.get("type")} for e in error.errors()]
    code = "malformed_json" if any(d["type"] == "json_invalid" for d in details) else "invalid_request"
    return _problem(400, code, "the request does not match the API's schema", details)


@app.exception_handler(UnicodeDecodeError)
def _undecodable_body(error: UnicodeDecodeError) -> Response[str]:
    return _problem(400, "invalid_encoding", "the request body is not UTF-8 text")


@app.exception_handler([ContendedStock, IdempotencyAlreadyInProgressError])
def _retry_later(error: Exception) -> Response[str]:
    return _problem(409, "retry_later", "the same request is being processed; retry shortly")


@app.not_found
def _no_route(error: NotFoundError) -> Response[str]:
    return _problem(404, "no_route", "no such path or method")


def _shop_id() -> str:
    return app.current_event.headers.get("x-faka-shop") or services().settings.default_shop


def _open_shop_id() -> str:
    """The shop a storefront request names, after checking it exists, so a typo is not an "unknown sku"."""
    shop_id = _shop_id()
    services().shops.get(shop_id)
    return shop_id


def _operator(*, platform_only: bool = False) -> str:
    shop_id = _shop_id()
    services().access.authorize(
        shop_id, bearer_token(app.current_event.headers.get("authorization")), platform_only=platform_only
    )
    return shop_id


def _product_view(product: Product) -> ProductView:
    return ProductView(
        sku=product.sku,
        name=product.name,
        description=product.description,
        price=product.price,
        currency=product.currency,
        region=product.region,
        platform=product.platform,
        stock=product.stock,
    )


@app.get("/v1/health")
def health() -> dict[str, str]:
    return {"status": "ok"}


@app.get("/v1/openapi.json", include_in_schema=False)
def openapi() -> Response[str]:
    document = app.get_openapi_json_schema(
        title="faka", version="1.0.0", description="Automatic card-key delivery with after-sales"
    )
    return Response(status_code=200, content_type=content_types.APPLICATION_JSON, body=document)


@app.get("/v1/products", responses={404: {"description": "Unknown shop"}})
def list_products() -> ProductList:
    shop_id = _open_shop_id()
    return ProductList(products=[_product_view(p) for p in services().catalog.products(shop_id)])


@app.post("/v1/orders", responses={201: {"description": "Order created"}, 400: {"description": "Invalid order"}})
def create_order(draft: Annotated[OrderDraft, Body()]) -> Response[str]:
    shop_id = _open_shop_id()
    identity = app.current_event.request_context.identity
    order, token = services().orders.place(
        OrderRequest(
            shop_id=shop_id,
            sku=draft.sku,
            quantity=draft.quantity,
            email=str(draft.email),
            locale=draft.locale,
            buyer_ip=identity.source_ip,
            buyer_country=app.current_event.headers.get("cloudfront-viewer-country"),
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
    return _json(201, created.model_dump())


def _keys(order: Order, *, masked: bool) -> list[DeliveredKey]:
    codes = services().delivered_keys.codes(order)
    return [DeliveredKey(line_no=n, code=mask_code(code) if masked else code) for n, code in codes]


@app.get("/v1/orders/<order_id>", responses={404: {"description": "Unknown order or wrong token"}})
def get_order(order_id: Annotated[str, Path(max_length=64)]) -> OrderView:
    order = services().orders.get_for_buyer(order_id, bearer_token(app.current_event.headers.get("authorization")))
    product = services().catalog.product(order.shop_id, order.sku)
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
        keys=_keys(order, masked=False),
    )


@idempotent_function(data_keyword_argument="payment", persistence_store=idempotency_store, config=idempotency_config)
def _record_payment(payment: dict[str, Any]) -> dict[str, Any]:
    confirmation = PaymentConfirmation(**{k: v for k, v in payment.items() if k != "event_id"})
    outcome = services().fulfilment.record_payment(confirmation)
    return {"received": True, "result": outcome.result.value, "order_id": outcome.order_id}


@app.post("/v1/webhooks/stripe", responses={400: {"description": "Bad signature or body"}})
def stripe_webhook() -> WebhookReceipt:
    verified = verify_stripe_event(
        app.current_event.decoded_body or "",
        app.current_event.headers.get("stripe-signature"),
        services().stripe_webhook_secret,
    )
    if isinstance(verified.notice, Ignored):
        logger.info("stripe event ignored", extra={"event_id": verified.event_id, "reason": verified.notice.reason})
        return WebhookReceipt(received=True, result="ignored")
    receipt = _record_payment(payment={"event_id": verified.event_id, **asdict(verified.notice)})
    return WebhookReceipt.model_validate(receipt)


@app.post("/v1/admin/shops", responses={201: {"description": "Shop opened"}})
def open_shop(draft: Annotated[ShopDraft, Body()]) -> Response[str]:
    _operator(platform_only=True)
    shop, token = services().shops.open(draft.shop_id, draft.name, str(draft.support_email))
    return _json(201, ShopCreated(shop_id=shop.shop_id, operator_token=token).model_dump())


@app.post("/v1/admin/products", responses={201: {"description": "Created"}, 200: {"description": "Updated"}})
def save_product(draft: Annotated[ProductDraft, Body()]) -> Response[str]:
    shop_id = _operator()
    product, created = services().catalog.save_product(Product(shop_id=shop_id, **draft.model_dump()))
    return _json(201 if created else 200, _product_view(product).model_dump())


@app.get("/v1/admin/products")
def operator_products() -> ProductList:
    shop_id = _operator()
    return ProductList(products=[_product_view(p) for p in services().catalog.products(shop_id)])


def _key_import() -> KeyImport:
    """Keys arrive as JSON, or as CSV (one code per row, first column or a ``code`` column)."""
    event = app.current_event
    body = event.decoded_body or ""
    content_type = (event.headers.get("content-type") or "").split(";")[0].strip().lower()
    try:
        if content_type == "text/csv":
            rows = [row for row in csv.reader(io.StringIO(body)) if row]
            column = 0
            if rows and any(cell.strip().lower() in {"code", "key"} for cell in rows[0]):
                column = [cell.strip().lower() for cell in rows[0]].index("code" if "code" in rows[0] else "key")
                rows = rows[1:]
            query = event.query_string_parameters or {}
            return KeyImport(
                batch=query.get("batch", ""),
                supplier=query.get("supplier", ""),
                keys=[row[column] if column < len(row) else "" for row in rows],
            )
        return KeyImport.model_validate_json(body)
    except ValidationError as error:
        raise InvalidRequest(
            "the import does not match the API's schema", details=error.errors(include_url=False, include_input=False)
        ) from None


@app.post("/v1/admin/products/<sku>/keys", responses={200: {"description": "Import report"}})
def import_keys(sku: str) -> ImportReport:
    shop_id = _operator()
    request = _key_import()
    result = services().catalog.import_keys(shop_id, sku, request.batch, request.keys, supplier=request.supplier)
    return ImportReport(
        batch=request.batch,
        imported=result.imported,
        rejected=[RejectedKey(index=r.index, code=r.code) for r in result.rejected],
    )


@app.put("/v1/admin/products/<sku>/batches/<batch_id>")
def change_batch(sku: str, batch_id: str, change: Annotated[BatchStatusChange, Body()]) -> dict[str, str]:
    shop_id = _operator()
    services().catalog.set_batch_status(shop_id, sku, batch_id, BatchStatus(change.status))
    return {"batch": batch_id, "status": change.status}


@app.get("/v1/admin/orders/<order_id>")
def operator_order(order_id: str) -> OperatorOrderView:
    shop_id = _operator()
    order = services().orders.get(order_id)
    if order.shop_id != shop_id:
        raise NotFound("no such order", code="unknown_order")
    return OperatorOrderView(
        order_id=order.order_id,
        shop_id=order.shop_id,
        status=order.stored_status.value,
        sku=order.sku,
        quantity=order.quantity,
        amount=order.amount,
        currency=order.currency,
        email=order.email,
        buyer_ip=order.buyer_ip,
        buyer_country=order.buyer_country,
        flag_reason=order.flag_reason,
        payment_ref=order.payment_ref,
        keys=_keys(order, masked=True),
    )


@app.get("/v1/products/<sku>/advice")
def product_advice(sku: str, country: Annotated[str, Query(pattern=r"^[A-Za-z]{2}$")]) -> AdviceView:
    shop_id = _open_shop_id()
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


@app.post("/v1/activations", responses={404: {"description": "No delivered key has this code"}})
def activation_callback() -> ActivationReceipt:
    """Supplier or merchant callback, signed like Stripe's webhooks with FAKA_SIGNING_SECRET."""
    body = app.current_event.decoded_body or ""
    secret = services().links_secret
    try:
        stripe.WebhookSignature.verify_header(
            body, app.current_event.headers.get("x-faka-signature"), secret, tolerance=SIGNATURE_TOLERANCE_SECONDS
        )
    except stripe.SignatureVerificationError:
        raise InvalidRequest("the X-Faka-Signature header does not match this body", code="invalid_signature") from None
    try:
        callback = ActivationCallback.model_validate_json(body)
    except ValidationError as error:
        raise InvalidRequest(
            "the callback does not match the API's schema", details=error.errors(include_url=False, include_input=False)
        ) from None
    signal = ActivationSignal(
        ActivationStatus(callback.status), SignalSource.SUPPLIER, callback.at, callback.account_region
    )
    outcome = services().activations.record_for_code(callback.key, signal)
    return ActivationReceipt(recorded=True, changed_lines=outcome.changed_lines)


_LINK_ANSWERS = {
    LinkAction.WORKED: "Thank you — glad it worked! / 感谢确认，祝您使用愉快！",
    LinkAction.FAILED: (
        "Sorry about that. We have opened a case and will help you shortly. / "
        "抱歉给您带来不便，我们已创建售后工单，将尽快为您处理。"
    ),
    LinkAction.HELPFUL_YES: "Thank you for your feedback. / 感谢您的反馈。",
    LinkAction.HELPFUL_NO: "Thank you for your feedback; we will improve this guide. / 感谢反馈，我们会改进这份指南。",
    LinkAction.OPT_OUT: "You will not receive activation reminders any more. / 您将不再收到兑换提醒。",
}


@app.get("/v1/links/<action>", include_in_schema=False)
def follow_link(action: str) -> Response[str]:
    """Where the buttons in buyer emails lead; the link's signature is its only credential."""
    try:
        link_action = LinkAction(action)
    except ValueError:
        raise NotFound("no such link", code="no_route") from None
    params = services().links.verify(action, app.current_event.query_string_parameters or {})
    order = services().orders.get(params["o"])
    now = datetime.now(UTC)
    if link_action in (LinkAction.WORKED, LinkAction.FAILED):
        status = ActivationStatus.ACTIVATED if link_action is LinkAction.WORKED else ActivationStatus.FAILED
        services().activations.record(order.order_id, ActivationSignal(status, SignalSource.BUYER, now))
        if link_action is LinkAction.FAILED:
            services().tickets.open_once(
                key=f"{order.order_id}:buyer_reported_failure",
                shop_id=order.shop_id,
                order_id=order.order_id,
                intent="invalid_key",
                severity=3,
                source="email_link",
                locale=order.locale,
                summary=f"The buyer reports the key(s) of order {order.order_id} did not work.",
            )
    elif link_action is LinkAction.OPT_OUT:
        services().outreach.opt_out(order.email)
    else:
        vote = "helpful_yes" if link_action is LinkAction.HELPFUL_YES else "helpful_no"
        services().counters.add(template_key(order.shop_id), params.get("t", "unknown"), {vote: 1})
    page = f"<!doctype html><meta charset=utf-8><title>faka</title><p>{html.escape(_LINK_ANSWERS[link_action])}</p>"
    return Response(status_code=200, content_type="text/html; charset=utf-8", body=page)


@app.post("/v1/admin/orders/<order_id>/activation")
def operator_activation(order_id: str, change: Annotated[OperatorActivation, Body()]) -> ActivationReceipt:
    shop_id = _operator()
    if services().orders.get(order_id).shop_id != shop_id:
        raise NotFound("no such order", code="unknown_order")
    signal = ActivationSignal(
        ActivationStatus(change.status), SignalSource.OPERATOR, datetime.now(UTC), change.account_region
    )
    outcome = services().activations.record(order_id, signal, line_no=change.line_no)
    return ActivationReceipt(recorded=True, changed_lines=outcome.changed_lines)


@app.get("/v1/admin/reports/activation")
def activation_figures() -> dict[str, Any]:
    return activation_report(services().counters, _operator())


@app.get("/v1/admin/tickets")
def list_tickets() -> TicketList:
    tickets = services().tickets.for_shop(_operator())
    return TicketList(
        tickets=[
            TicketView(
                ticket_id=t.ticket_id,
                order_id=t.order_id,
                status=t.status,
                intent=t.intent,
                severity=t.severity,
                source=t.source,
                summary=t.summary,
                created_at=t.created_at.isoformat(),
            )
            for t in tickets
        ]
    )


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    idempotency_config.register_lambda_context(context)
    return app.resolve(event, context)
