"""Hand-written training sentences, one per line, by intent and language (written for faka, CC0).

A leading ``!`` marks an angry sentence and ``+`` a positive one; the rest are neutral. ``{slot}``s are
filled by generate.py. "mixed" holds code-switched sentences (Chinese with English or Spanish, or English
with Spanish); Chinese with only a brand or "key"/"code" in Latin letters is still "zh".

What each intent means (the labelling guide):
- not_received: paid, and the key / code / e-mail has not arrived (a complaint that something is missing).
- order_status: a question about an order's state, progress or timing, without saying something is missing.
- invalid_key: the delivered key is rejected — invalid, already used, expired, not recognised.
- wrong_region: the key's region does not fit the buyer's account or country.
- activation_help: how / where to redeem or activate.
- refund_request: the buyer asks for money back or to cancel, whatever the reason.
- payment_issue: the payment itself — declined, failed, charged twice or wrongly, paid but shown unpaid.
- description_mismatch: what was delivered differs from the listing (value, edition, duration, content).
- account_security: the buyer's account is compromised or at risk (hacked, password changed, 2FA codes).
- fraud_report: scams, stolen or fake keys, purchases the card owner did not make, impersonators.
- talk_to_human: asks for a person, agent, manager, live chat or phone.
- other: greetings, thanks, pre-sales questions, invoices, anything else.
"""

SENTENCES: dict[str, dict[str, str]] = {
    "not_received": {
        "en": """
I paid but never received my code
still haven't gotten my {product} for order {order}
Paid {amount} {time} ago and nothing arrived
where is my key? I already paid
no email with the code after payment
I didn't receive the {platform} code I bought
my order {order} was charged but no key was delivered
it's been {time} and I still have no code
the delivery email never came, checked spam too
payment went through but I got nothing
I bought a {product} and didn't get it
haven't received anything yet, order {order}
!paid {time} ago and STILL no key, where is it??
!you took my money and sent nothing
can't find the key anywhere, never got the email
no code on the order page and no email either
didnt get my key
order complete but the key is not showing
I was charged {amount} but the code was never sent to {email}
where's my stuff? bought a {product} {time} ago
nothing in my inbox after buying the {platform} card
order says delivered but I never got a key
still waiting for my code, it never arrived
i never got the activation code in my email
the code wasn't delivered, please send it again
can you resend the key? I didn't get it
my purchase didn't come through, no code received
I typed the wrong email {email} so I never received the key
!are you going to send my code or not? paid {time} ago
hello? where is my gift card, I paid already
bought 2 keys and only got 1
""",
        "zh": """
付款了但是没收到卡密
我的订单{order}还没收到{product}
已经付了{amount}，{time}了还没发货
卡密呢？钱都付了
没有收到邮件，垃圾箱也看了
我买的{platform}{product}一直没到
钱扣了但是没给我卡密
付款成功了但是没有收到兑换码
订单显示已完成，可是我没看到卡密
等了{time}了还是没收到
!付了钱不发货是什么意思？？
!钱收了东西不给，骗子吗
邮箱{email}里什么都没有
卡密没发过来啊
能不能重新发一下卡密，我没收到
怎么还没收到码
我的充值卡呢？没收到
下单{time}了，码还没到
付完款页面啥也没显示，邮件也没有
没收到货
我拍了{product}但是一直没收到
发货了吗？我这边什么都没收到
邮箱填错了，收不到卡密，订单号{order}
卡密一直没发给我
你们是不是忘了发我的激活码
买了两张卡只收到一张
订单{order}已付款未收到卡密
咋还没收到卡密
木有收到卡密啊亲
说好的自动发货呢，到现在都没收到
还没收到code，order {order}
""",
        "es": """
pagué y no me llegó el código
todavía no recibo mi {product}, pedido {order}
pagué {amount} hace {time} y no ha llegado nada
¿dónde está mi código? ya pagué
no me llegó ningún correo con la clave
compré una tarjeta de {platform} y no la recibí
me cobraron pero no me enviaron el código
ya pasaron {time} y sigo sin mi código
el correo nunca llegó, revisé spam también
el pago se hizo pero no recibí nada
no he recibido mi pedido {order}
!pagué hace {time} y NADA, ¿dónde está mi código?
!se quedaron con mi dinero y no mandaron nada
no aparece el código en el pedido ni en el correo
no me llego la key
el pedido dice entregado pero no tengo ningún código
me cobraron {amount} y el código nunca llegó a {email}
¿me pueden reenviar el código? no lo recibí
sigo esperando mi código, no ha llegado
puse mal mi correo y no recibí la clave
compré {product} y no me llegó
hola, no recibí el código de activación
¿cuándo me van a mandar el código? ya pagué hace {time}
no me ha llegado la tarjeta que compré
ni correo ni código, nada
pagué pero no me llegó el code
""",
        "mixed": """
paid already 但是没收到卡密
卡密 not received yet
never got my 兑换码
""",
    },
    "invalid_key": {
        "en": """
the key is invalid
my {product} says invalid code
{platform} says this code has already been redeemed
key {key} doesn't work
the code you sent me is not valid
it says the code was already used
redeem failed, invalid key
this key won't activate, error says invalid
I typed the code exactly and it keeps saying incorrect
code already claimed by another account
the gift card shows a zero balance, already redeemed
key rejected by {platform}
!your key is fake, it doesn't work at all
!sold me a used key, it says already activated
the activation code is not working
{platform} error: the code you entered is not valid
the code is invalid, can you send a new one?
my card code doesn't work
tried the key {key} multiple times, still invalid
the serial number is wrong
key not recognized
invalid product key
the code has been used already, please replace it
the key you gave me is deactivated
it says this code is expired
code doesn't redeem, says it's not a valid code
the cd key is invalid
redemption error: code already used
my code keeps giving an error when I redeem it
the key for order {order} doesn't work, {amount} wasted
""",
        "zh": """
我的卡密无效
兑换码用不了
卡密显示已被使用
key无效
这个激活码是无效的
提示兑换码错误
{platform}提示该代码无效
卡号{key}显示已经被兑换过了
充值码输进去提示无效
序列号不对，激活不了
激活码显示已使用，你们卖的是二手的吗
!给的卡密是假的吧，根本用不了
卡密兑换失败，显示无效代码
这个码被别人用过了
兑换的时候说代码已被领取
卡密错误，麻烦换一个
码是坏的
输入兑换码提示不存在
激活码已过期
卡密用不了，能换一张吗
cdk无效
key用不了
你们发的码兑换不了
兑换码提示无效或已使用
礼品卡余额是0，已经被用了
{product}充值失败，提示卡密错误
!卡密无效还卖，坑人
这个key已经被激活过了
输了好几次都说兑换码无效
卡密是错的
花了{amount}买的码用不了，订单{order}
""",
        "es": """
el código no funciona
la clave es inválida
dice que el código ya fue canjeado
mi código {key} no sirve
el código que me mandaron no es válido
{platform} dice que el código ya se usó
no puedo canjear, código inválido
la key no funciona
me sale que el código es incorrecto
el código ya fue utilizado por otra cuenta
la tarjeta aparece con saldo cero, ya fue usada
!me vendieron un código usado, no sirve
!la clave es falsa, no funciona para nada
el código de activación no es válido
error al canjear: código no válido
me pueden mandar otro código? este no funciona
dice que el código expiró
el código está desactivado
la clave de producto no es válida
intenté varias veces y sigue diciendo código inválido
el code no funciona
el serial está mal
me dice que el código no existe
el código que compré ya estaba canjeado
no jala el código
""",
        "mixed": """
充值码 invalid
卡密 not working
key 无效 please help
the code 提示已使用
""",
    },
    "wrong_region": {
        "en": """
this key is for the {region} region but my account is {region}
can't redeem, it says the code is not available in my region
wrong region key
the gift card is {region} only and my account is in {region}
{platform} says this code can only be redeemed in another country
region locked, I can't activate it
I'm in {region}, the {region} card you sent doesn't work here
the key is region restricted and doesn't work on my account
you sent me a {region} code, I ordered {region}
it says this code is not valid in your country or region
my {platform} account is {region}, the card is for a different region
!you sold me a region locked key without saying it
can I exchange it for a {region} version?
it says wrong store region
I bought the wrong region by mistake, can I swap it?
the code works only for {region} accounts
region mismatch between key and account
key can't be used in {region}
my country isn't supported by this code
I think the card is from another region, it won't redeem
this is a {region} key and I live in {region}
it says not available in your region when redeeming
region error on {platform}
game activation failed: region restriction
the product is locked to {region}
""",
        "zh": """
这个码是{region}的，我的账号是{region}
提示该代码不适用于您所在的地区
区域不对，兑换不了
买错区了，能换吗
锁区了激活不了
{platform}显示此卡仅限其他国家或地区使用
我的账号是{region}的，你们发的是{region}的卡
地区不符，无法兑换
提示所在地区不支持
!卖的时候也没说锁区啊
{region}账号能用{region}的卡吗？提示不能用
这个key有区域限制
兑换时提示国家或地区不匹配
想换成{region}的
账号区服和卡不一致
商店区域不对
显示此兑换码不能在你的区域使用
我是{region}的号，兑换失败说地区错误
激活码限定区域和我不一样
换区了还是用不了这个卡
买的{region}礼品卡，账号是{region}，怎么办
{product}区域错了
这是哪个区的卡？我的号用不了
区不对啊
非本区卡无法使用
""",
        "es": """
el código es de {region} y mi cuenta es de {region}
dice que el código no es válido en mi región
región incorrecta, no lo puedo canjear
la tarjeta es solo para {region}
{platform} dice que el código es de otro país
está bloqueado por región
compré la región equivocada, ¿lo puedo cambiar?
me mandaron un código de {region} y yo pedí {region}
mi cuenta de {platform} es de {region}, la tarjeta es de otra región
!no decía que tenía bloqueo regional
dice no disponible en tu país o región
la key tiene restricción de región
no funciona en mi país
error de región al canjear
¿me lo pueden cambiar por uno de {region}?
el código es para otra región
vivo en {region} y el código no funciona aquí
no coincide la región de la cuenta con la del código
el juego está bloqueado para {region}
el code es de otra region
""",
        "mixed": """
key是{region}的 but my account is {region}
锁区了 region locked
wrong region 用不了
""",
    },
    "activation_help": {
        "en": """
how do I redeem this code?
where do I enter the key on {platform}?
how to activate the {product}?
can you tell me the steps to redeem on {platform}?
I'm new to {platform}, where do I put the code?
how do I use the gift card on my {platform} account?
do I need a VPN to activate?
can't find the redeem option
how do I add the wallet code to my account?
where is the redeem code button on {platform}?
is there a guide for activating this?
how do I activate a game key on steam?
can I redeem it on my phone or only on PC?
how do I redeem on the console?
what do I do with this code?
I got the code, now what?
how to add funds with this card
where do I type the 25 digit code on xbox?
can you send me instructions to redeem?
do I redeem on the website or the app?
+got the key, thanks! how do I activate it?
how do I activate this on {platform} from {region}?
which menu do I use to enter the code?
explain how to use this key please
the redeem page is confusing, where do I go?
how long does the balance take to show after redeeming?
I need help activating my {product}
is the key for the launcher or the store?
how to claim the code on {platform}
""",
        "zh": """
这个码怎么兑换？
在{platform}哪里输入卡密？
{product}怎么激活
能告诉我兑换步骤吗
第一次用{platform}，码要输在哪
礼品卡怎么充到账号里
激活需要挂梯子吗
找不到兑换入口
怎么用这个兑换码
请问在哪里兑换
有没有激活教程
steam怎么激活key
手机上能兑换吗还是只能电脑
主机上怎么兑换
拿到码了然后怎么操作
充值卡怎么用
xbox在哪里输入25位代码
能发我一下兑换方法吗
是在网页兑换还是在app里兑换
+收到了，谢谢！请问怎么激活？
兑换入口在哪个菜单
兑换完余额多久到账
教我一下怎么用
不会用，求教程
这个cdk在哪激活
怎么充值到{platform}钱包
激活码咋用啊
新手不会兑换，怎么弄
{region}账号怎么兑换这个卡
在ps5上怎么输入兑换码
""",
        "es": """
¿cómo canjeo este código?
¿dónde pongo la clave en {platform}?
¿cómo activo la {product}?
¿me dices los pasos para canjear en {platform}?
soy nuevo en {platform}, ¿dónde meto el código?
¿cómo uso la tarjeta regalo en mi cuenta?
¿necesito VPN para activarlo?
no encuentro la opción de canjear
¿cómo agrego el saldo a mi cuenta?
¿hay alguna guía para activar esto?
¿cómo activo una key en steam?
¿se puede canjear desde el celular?
ya tengo el código, ¿y ahora qué hago?
¿me mandan instrucciones para canjear?
¿se canjea en la web o en la app?
+¡gracias, ya me llegó! ¿cómo la activo?
¿en qué menú pongo el código?
explícame cómo usar la key porfa
¿cuánto tarda en aparecer el saldo después de canjear?
necesito ayuda para activar mi {product}
¿cómo se canjea en la consola?
¿dónde escribo el código de 25 dígitos en xbox?
no sé cómo activar el código
cómo canjear en {platform}
¿qué hago con este código?
""",
        "mixed": """
怎么 redeem 这个 code 啊
how to 兑换 on {platform}?
where do I 输入 the key
""",
    },
    "refund_request": {
        "en": """
I want a refund
please refund my order {order}
can I get my money back?
I'd like to cancel my order and get a refund
refund please, I bought the wrong thing
the key doesn't work, I want my money back
I changed my mind, can I return it?
how do I request a refund?
please cancel order {order} and refund {amount}
!give me my money back NOW
!refund me or I'll file a chargeback
I haven't used the code, can you refund it?
I bought it twice by accident, please refund one
can you refund to my original payment method?
requesting a full refund for {product}
how long does a refund take?
I want to return this {product} for a refund
cancel and refund, I don't need it anymore
!I demand a refund
is it possible to get a refund if I haven't redeemed?
refund my {amount} please
the item was not as expected, I want a refund
where is my refund? you said you'd refund me
please process my refund
I'd like a refund instead of a replacement
refund to paypal please
can you reverse the purchase?
money back please
I want to cancel this purchase
not satisfied, requesting refund
""",
        "zh": """
我要退款
麻烦把订单{order}退款
能退钱吗
我想取消订单并退款
买错了，申请退款
卡密不能用，给我退款
不想要了，可以退吗
怎么申请退款
请取消订单{order}，退{amount}
!马上给我退钱
!不退款我就投诉你们
码还没用过，能退吗
不小心买了两次，退一单
退回原支付方式可以吗
申请全额退款
退款多久到账
退款到支付宝
这个不要了，退了吧
!必须给我退款
没兑换的话可以退款吗
{amount}退给我
退款怎么还没到
请尽快处理我的退款
不要换货了，直接退款
仅退款
我要求退款
帮我退一下
取消购买，退钱
申请退款，谢谢
不满意，退款
""",
        "es": """
quiero un reembolso
por favor reembolsen mi pedido {order}
¿me pueden devolver el dinero?
quiero cancelar mi pedido y que me devuelvan el dinero
me equivoqué de producto, quiero reembolso
la clave no sirve, devuélvanme mi dinero
¿cómo pido un reembolso?
cancelen el pedido {order} y devuelvan {amount}
!devuélvanme mi dinero YA
!si no me reembolsan hago un contracargo
no he usado el código, ¿me lo pueden reembolsar?
compré dos veces por error, reembolsen uno
¿me pueden reembolsar al mismo método de pago?
solicito el reembolso total
¿cuánto tarda el reembolso?
quiero devolver la {product}
ya no lo necesito, cancelen y reembolsen
!exijo mi reembolso
¿dónde está mi reembolso?
prefiero el reembolso en vez de otro código
reembolso a paypal por favor
quiero cancelar la compra
devolución del dinero por favor
no estoy conforme, pido reembolso
reembolsenme porfa
""",
        "mixed": """
refund please 我不要了
我要 refund，thanks
quiero refund de mi order
""",
    },
    "payment_issue": {
        "en": """
my payment failed but money was taken
I was charged twice for order {order}
the payment went through but the order still says pending payment
card declined at checkout
PayPal payment is stuck on processing
I paid {amount} but the order shows unpaid
can't complete payment, it keeps failing
double charge on my credit card
my bank shows a charge of {amount} but the order was cancelled
payment error at checkout
!you charged me 3 times!!
the checkout page crashed after I paid
I was charged more than the listed price
currency conversion charged me extra
which payment methods do you accept? my card doesn't work
payment keeps getting declined
the payment page won't load
charged {amount} instead of {amount}
order expired even though I paid
I have a pending charge but no order
my payment was taken but order status is pending_payment
transaction failed but my balance went down
can I pay with crypto? card not accepted
stripe says payment successful but your site says failed
3D secure failed, can't pay
the price changed during checkout
the amount charged doesn't match the price
accidentally paid with the wrong card
why was I charged a fee?
payment timed out
""",
        "zh": """
付款失败了但是钱被扣了
订单{order}被扣了两次款
付款成功了但订单还显示待付款
信用卡支付被拒绝
支付宝付款一直在处理中
付了{amount}但是订单显示未支付
付不了款，一直失败
重复扣款
银行显示扣了{amount}，但订单被取消了
结账时支付出错
!扣了我三次钱！！
付完款页面就崩了
扣的钱比标价多
汇率换算多扣了钱
微信支付不了
支付一直被拒
支付页面打不开
订单过期了可是我已经付钱了
有一笔待扣款但是没有订单
扣款了但订单状态还是待支付
交易失败但是余额少了
可以用USDT付款吗，信用卡不行
支付显示成功但网站显示失败
3D验证失败付不了
结账时价格变了
扣款金额和标价不一致
手续费是怎么回事
支付超时了
paypal付款报错
为什么多扣了{amount}
""",
        "es": """
el pago falló pero me descontaron el dinero
me cobraron dos veces el pedido {order}
pagué pero el pedido sigue como pendiente de pago
me rechazaron la tarjeta al pagar
el pago con PayPal se quedó procesando
pagué {amount} pero el pedido aparece sin pagar
no puedo completar el pago
doble cargo en mi tarjeta
el banco me cobró {amount} pero el pedido se canceló
error en el pago
!¡me cobraron tres veces!
me cobraron más que el precio publicado
el cambio de moneda me cobró de más
¿qué métodos de pago aceptan? mi tarjeta no pasa
el pago sigue siendo rechazado
la página de pago no carga
el pedido expiró aunque ya pagué
tengo un cargo pendiente pero no hay pedido
se hizo el cobro pero el estado dice pendiente
¿puedo pagar con OXXO? la tarjeta no funciona
falló la verificación 3D secure
el monto cobrado no coincide con el precio
¿por qué me cobraron una comisión?
se venció el tiempo del pago
me descontaron {amount} y dice pago fallido
""",
        "mixed": """
payment failed 但是扣钱了
被 charge 了两次
me cobraron twice, double charge
""",
    },
    "order_status": {
        "en": """
what's the status of my order {order}?
is my order being processed?
how long until my order is delivered?
can you check my order {order}?
my order says awaiting stock, when will it ship?
order status please
has my order been confirmed?
how long does delivery usually take?
when will my {product} be sent?
is order {order} completed?
my order is on hold, why?
what does awaiting stock mean for my order?
any update on my order?
just checking in on order {order}
when can I expect my code?
is the order still pending?
did my order go through?
how do I track my order?
how long does it take to deliver after payment?
is there a delay on orders today?
my order shows processing for {time}, is that normal?
can I see my order history?
when will the item be back in stock for my order?
what's happening with my order?
order {order} status?
can you confirm you received my order?
is my preorder on track?
how long is the verification for my order?
I placed an order {time} ago, what stage is it at?
could you tell me where my order stands?
""",
        "zh": """
我的订单{order}现在什么状态
订单在处理吗
多久能发货
帮我查一下订单{order}
订单显示等待补货，什么时候发
查询订单状态
订单确认了吗
一般多久到账
{product}什么时候发
订单{order}完成了吗
订单被暂停了，为什么
等待库存是什么意思
订单有进展吗
想问下我的订单到哪一步了
大概什么时候能收到码
订单还在待处理吗
我的订单下成功了吗
怎么查订单
付款后多久发货
今天发货有延迟吗
订单显示处理中{time}了，正常吗
在哪看历史订单
什么时候补货
我的订单怎么样了
订单{order}状态？
你们收到我的订单了吗
预购的什么时候发
订单审核要多久
下单{time}了，现在到哪了
帮忙看下订单进度
""",
        "es": """
¿cuál es el estado de mi pedido {order}?
¿mi pedido se está procesando?
¿cuánto tarda en llegar mi pedido?
¿pueden revisar mi pedido {order}?
mi pedido dice esperando stock, ¿cuándo lo envían?
estado del pedido por favor
¿ya confirmaron mi pedido?
¿cuánto tarda normalmente la entrega?
¿cuándo me envían la {product}?
¿el pedido {order} ya está completo?
mi pedido está en espera, ¿por qué?
¿hay novedades de mi pedido?
solo quería saber cómo va mi pedido {order}
¿cuándo me llega el código más o menos?
¿sigue pendiente el pedido?
¿se realizó mi pedido?
¿cómo rastreo mi pedido?
¿hay retrasos hoy?
mi pedido lleva {time} procesando, ¿es normal?
¿dónde veo mis pedidos anteriores?
¿cuándo vuelven a tener stock?
¿qué pasa con mi pedido?
¿recibieron mi pedido?
¿en qué etapa está mi compra?
¿cuánto tarda la verificación del pedido?
""",
        "mixed": """
order status? 我的订单到哪一步了
my 订单 is still processing?
""",
    },
    "description_mismatch": {
        "en": """
I ordered a {amount} card but got a different value
the product is not what was described
you sent me the standard edition, I paid for deluxe
the subscription is 1 month, the page said 3 months
the card value is wrong, I got {amount} instead of {amount}
this is not the game I bought
the description said it includes the DLC but it doesn't
item doesn't match the listing
the page said lifetime, but it expires in 30 days
!false advertising, the product is different
I received a different product than I ordered
the key is for a different game
it's a 7 day trial, not the full version like the listing said
the denomination is wrong
the bundle was supposed to include 3 keys, I got 1
ordered Game Pass Ultimate, got Game Pass Core
the photo shows a different card
description says 1000 V-bucks but I got 500
got the wrong edition
it says premium but it's the basic version
the item title is misleading
the amount credited is less than advertised
this is a different product from the description
received a {product} for the wrong game
I paid for 12 months and got 6
the product page lied about what's included
not as described
the listing showed {amount} but only half was credited
""",
        "zh": """
买的是{amount}的卡，收到的面值不对
和描述不符
我买的是豪华版，给我的是标准版
页面写的三个月，实际只有一个月
面值错了
这不是我买的游戏
描述说包含DLC，实际没有
商品和详情页不一样
说好的永久，结果30天就过期
!虚假宣传，东西和描述完全不一样
收到的商品和下单的不一样
这个key是别的游戏的
是试用版，不是页面写的正式版
说是三个key的套装，只给了一个
买的终极版给了普通版
图片上的卡和收到的不一样
写着1000点，到账只有500
版本不对
说是高级版其实是基础版
标题误导人
到账金额比宣传的少
买了12个月只给了6个月
货不对板
跟介绍的不一样
实际到账和页面写的不符
给的是别的面值的卡
商品描述有问题，和实际不符
这和你们写的不一样啊
会员时长不对
描述写的是全DLC，实际缺了
""",
        "es": """
pedí una tarjeta de {amount} y me llegó de otro valor
no es lo que decía la descripción
compré la edición deluxe y me mandaron la estándar
la página decía 3 meses y es solo 1
el valor de la tarjeta está mal
este no es el juego que compré
la descripción decía que incluía el DLC y no lo trae
el producto no coincide con el anuncio
decía de por vida y vence en 30 días
!publicidad engañosa, el producto es otro
me llegó un producto diferente al que pedí
la key es de otro juego
es una versión de prueba, no la completa
el paquete traía 3 claves y solo recibí 1
pedí Game Pass Ultimate y me llegó Core
la foto muestra otra tarjeta
decía 1000 monedas y solo me dieron 500
la edición está equivocada
el título del producto es engañoso
me acreditaron menos de lo anunciado
pagué 12 meses y me dieron 6
no es como lo describen
la denominación no es la correcta
lo que recibí no corresponde con la descripción
versión incorrecta
""",
        "mixed": """
收到的 edition 不对, not the deluxe one
la descripción said deluxe pero es standard
""",
    },
    "account_security": {
        "en": """
my account got hacked
someone logged into my account without permission
my password was changed and I didn't do it
I received a login code I didn't request
my {platform} account was stolen after I redeemed
suspicious login from another country
someone changed the email on my account
I can't log in, I think my account was compromised
!my account got hacked and you did nothing
how do I secure my account?
I got a 2FA code I never asked for
someone is using my account
my account is locked for security reasons
I think someone knows my password
I got an email saying my password was reset
someone accessed my account from {region}
my {platform} account was taken over
how do I enable two-factor authentication?
I want to change my password because someone accessed my account
account compromised, please lock it
my verification codes are being sent to someone else
someone removed my phone number from the account
unusual sign-in activity on my account
I clicked a weird link and now my account is acting strange
my account was hijacked
security alert on my account
log out all devices please, someone is in my account
I lost access to my account, email changed by someone else
my steam guard was disabled without me
hacker took my account
""",
        "zh": """
我的账号被盗了
有人未经允许登录了我的账号
密码被改了，不是我改的
收到了不是我申请的验证码
兑换完{platform}账号就被盗了
异地登录提醒
有人改了我账号的邮箱
登不上去了，账号可能被盗
!账号被盗了你们也不管
怎么保护我的账号安全
收到二次验证码但我没操作
有人在用我的账号
账号因为安全原因被锁了
感觉有人知道我的密码
收到密码重置的邮件
有人从{region}登录了我的账号
{platform}账号被人顶号了
怎么开启两步验证
账号异常，请帮我冻结
验证码被发到别人那了
绑定的手机号被人解绑了
登录记录有陌生设备
点了个奇怪的链接，账号就不对劲了
账号被劫持了
账户安全警告
帮我把所有设备下线，有人在登我的号
号被盗了怎么办
令牌被关了不是我干的
邮箱被人换绑了
有陌生人登我的号
""",
        "es": """
me hackearon la cuenta
alguien entró a mi cuenta sin permiso
me cambiaron la contraseña y no fui yo
me llegó un código de acceso que no pedí
me robaron la cuenta de {platform} después de canjear
inicio de sesión sospechoso desde otro país
alguien cambió el correo de mi cuenta
no puedo entrar, creo que me hackearon
!me robaron la cuenta y ustedes no hacen nada
¿cómo protejo mi cuenta?
me llegó un código de verificación que no solicité
alguien está usando mi cuenta
mi cuenta está bloqueada por seguridad
creo que alguien sabe mi contraseña
me llegó un correo de restablecer contraseña
alguien entró a mi cuenta desde {region}
¿cómo activo la verificación en dos pasos?
cuenta comprometida, por favor bloquéenla
quitaron mi número de teléfono de la cuenta
actividad de inicio de sesión inusual
hice clic en un link raro y ahora mi cuenta está rara
secuestraron mi cuenta
cierren todas las sesiones, alguien está en mi cuenta
perdí el acceso, alguien cambió mi correo
un hacker se quedó con mi cuenta
""",
        "mixed": """
我的账号被 hack 了, someone logged in
my account 被盗了
""",
    },
    "fraud_report": {
        "en": """
this seller is a scam
!you are scammers, the keys are stolen
someone used my credit card to buy here without my permission
I didn't make this purchase, it's fraud
I want to report a fraudulent transaction on my card
there's a fake website copying your shop
I got a phishing email pretending to be from you
the key I got was bought with a stolen card, now my account is banned
report a scammer who resold me your keys
someone is selling your keys on a fake site
!this is fraud, I'm reporting you
an unauthorized charge from your store appeared on my statement
a guy on discord sold me a fake code claiming it's from you
I think these are carded keys
someone is impersonating your support on telegram
there's a charge from your shop I don't recognize
fraudulent order placed with my paypal
I was scammed by someone using your name
!this shop is a fraud, reporting to the police
someone hacked my paypal and bought keys from you
report fraud
suspicious seller using your brand
the site that sold me this is fake
I'm a victim of fraud, somebody bought gift cards with my card
please block this fraudster's email {email}
the keys are from a chargeback scam
a fake support agent asked for my code
unauthorized purchase of {amount} with my card
""",
        "zh": """
这个卖家是骗子
!你们就是骗子，卖的是黑卡
有人盗用我的信用卡在这里买东西
这笔不是我买的，是盗刷
举报一笔欺诈交易
有个假网站冒充你们
收到冒充你们的钓鱼邮件
买的key是黑卡来的，我号被封了
举报倒卖你们卡密的骗子
有人在假网站上卖你们的卡
这是诈骗，我要举报
账单上有一笔你们店的陌生扣款
有人在群里冒充你们客服骗钱
这些怕不是盗刷的卡
我被人用你们的名义骗了
!黑店，已经报警了
有人盗了我的paypal在你们这买卡
举报诈骗
有人冒用你们的品牌
我被骗了，有人用我的卡买了礼品卡
请封掉这个骗子的邮箱{email}
这些key是退款欺诈来的
冒充客服的人问我要卡密
我的卡被盗刷了{amount}，扣款是你们店
有人拿假截图来骗我
这是欺诈订单
举报虚假网站
有骗子冒充官方
!骗子店，大家别买
这个订单是盗号下的
""",
        "es": """
este vendedor es una estafa
!son unos estafadores, las claves son robadas
alguien usó mi tarjeta para comprar aquí sin permiso
yo no hice esta compra, es fraude
quiero reportar una transacción fraudulenta
hay una página falsa copiando su tienda
me llegó un correo de phishing haciéndose pasar por ustedes
la clave era de una tarjeta robada y me banearon
reportar a un estafador que revende sus claves
!esto es un fraude, los voy a denunciar
apareció un cargo no autorizado de su tienda
alguien se hace pasar por su soporte en whatsapp
me estafaron usando su nombre
!tienda fraudulenta, ya hice la denuncia
me hackearon el paypal y compraron claves aquí
reporto fraude
alguien usa su marca para estafar
fui víctima de fraude, compraron tarjetas con mi tarjeta
bloqueen el correo de este estafador {email}
un falso agente me pidió el código
cargo desconocido de su tienda en mi tarjeta
es una estafa, cuidado
denuncio una página falsa
compra no autorizada de {amount} con mi tarjeta
me quieren estafar con capturas falsas
""",
        "mixed": """
这是 scam, report it
scam 网站 冒充你们
""",
    },
    "talk_to_human": {
        "en": """
I want to talk to a human
can I speak to a real person?
connect me to an agent please
is there a live chat?
are you a bot?
I need a human, not a robot
let me talk to your manager
transfer me to customer service
can someone call me?
real support please
human please
get me a person
!stop sending me bot replies, I want a real human
is anyone there? I need a person
agent
representative
can I get a live agent
I'd rather speak with someone
put me through to support staff
I want to talk to someone in charge
your bot doesn't understand me, human please
can a human look at this?
do you have phone support?
escalate to a real person
operator please
""",
        "zh": """
转人工
人工客服
我要找真人
有没有人工
你是机器人吗
别让机器人回我，找个人来
叫你们经理来
转接客服
能打电话给我吗
我要人工服务
真人客服在吗
人工！
!一直是自动回复，我要人工
有人吗？我要找客服
找个活人
能不能让人工处理一下
我想和客服直接沟通
机器人听不懂，转人工
有客服电话吗
请安排人工客服
人工人工人工
给我转人工服务
要跟工作人员说
找你们负责人
叫个客服出来
""",
        "es": """
quiero hablar con una persona
¿puedo hablar con alguien real?
pásame con un agente por favor
¿hay chat en vivo?
¿eres un bot?
necesito un humano, no un robot
quiero hablar con el encargado
comuníqueme con servicio al cliente
¿alguien me puede llamar?
soporte humano por favor
una persona por favor
!dejen de mandarme respuestas automáticas, quiero un humano
¿hay alguien ahí? necesito una persona
agente
quiero un asesor
prefiero hablar con alguien
el bot no me entiende, quiero una persona
¿tienen atención telefónica?
quiero hablar con un supervisor
páseme con un operador
necesito hablar con alguien de soporte
que me atienda una persona
¿me comunica con un asesor real?
quiero atención personalizada
un humano porfa
""",
        "mixed": """
转 human agent please
quiero hablar con un human, real person please
我要 real person
""",
    },
    "other": {
        "en": """
+thanks, the key worked perfectly!
+great service, fast delivery
do you sell Netflix gift cards?
hi
hello
how much is a {amount} {platform} card?
do you have discounts for bulk orders?
can I get an invoice for my purchase?
+got it, thank you so much
what are your opening hours?
are you hiring?
is there a promo code?
I want to become a reseller
+awesome, everything works
ok
test
what games do you have on sale?
do you sell {region} {platform} cards?
+you guys are the best
can I change the language of the site?
do you have an affiliate program?
+perfect, thanks!
will you restock Game Pass?
good morning
I have a suggestion for your website
+5 stars, recommend
can I buy with a business account?
which card do I need for Fortnite?
""",
        "zh": """
+谢谢，卡密已经激活成功了
+服务很好，发货很快，好评
你们有卖网飞会员吗
你好
在吗
{platform}{amount}的卡多少钱
批量买有优惠吗
可以开发票吗
+收到了，谢谢老板
有{region}的{platform}卡吗
营业时间是几点到几点
有优惠码吗
我想做代理
+很棒，都能用
好的
测试
最近有什么游戏打折
+你们太靠谱了
网站能换成英文吗
有返利计划吗
+完美，感谢
会补货吗
早上好
给你们网站提个建议
+五星好评
能用公司账户买吗
+下次还来
哦哦知道了
有没有便宜点的
嗯嗯
""",
        "es": """
+¡gracias, el código funcionó perfecto!
+excelente servicio, muy rápido
¿venden tarjetas de Netflix?
hola
buenas
¿cuánto cuesta la tarjeta de {amount} de {platform}?
¿hay descuento por mayoreo?
¿me pueden dar factura?
+ya me llegó, muchas gracias
¿tienen tarjetas de {platform} de {region}?
¿qué horario tienen?
¿tienen cupones de descuento?
quiero ser revendedor
+genial, todo funciona
ok
prueba
¿qué juegos están en oferta?
+son los mejores
¿puedo cambiar el idioma de la página?
¿tienen programa de afiliados?
+perfecto, gracias
¿van a reponer stock?
buenos días
tengo una sugerencia para la página
+5 estrellas, los recomiendo
""",
        "mixed": """
+thanks 老板, 好评
+ok 收到了 thanks a lot
+gracias bro, all good, thank you
""",
    },
}

# Second writing pass: the first model (87 % on eval) showed the first pass used too few words per intent,
# so this pass adds the synonyms and sentence shapes buyers use (bank and checkout words, "market" for
# region, "queue" and "presale" for status, receipts and gifting for pre-sales questions, and so on).
MORE: dict[str, dict[str, str]] = {
    "not_received": {
        "en": """
my inbox is empty, no code from you
got the receipt but not the actual key
only the confirmation email came, where is the code itself?
the money was taken from my account but I have no key
nothing was delivered to my email
I've been waiting all morning and the key never came
the code hasn't arrived yet, I paid {amount}
still nothing after checkout, no key no email
I think you forgot to send my key
the key is missing from my order {order}
key not delivered
you never sent the code
my gift card never showed up
no sign of my code anywhere
the card number never came
I checked junk and promotions, nothing from you
purchase done, code not received
got charged, no product
it's been a while and the code still hasn't come
I'm still waiting on my key, order placed {time} ago
half my order is missing, I got 2 of 4 codes
you sent the receipt to {email} but no code
where did my code go? I don't see it anywhere
nothing arrived in my mailbox after I paid
the key didn't come through
I didn't get anything after paying for the {platform} card
""",
        "zh": """
邮箱空空的，什么都没收到
只收到收据没收到卡密
只来了确认邮件，码呢
钱扣了，码没有
邮箱里没有你们的邮件
等了一上午码还没来
付了{amount}码还没到
下单后没动静
是不是漏发了我的卡密
订单{order}里没有卡密
没给我发码
礼品卡迟迟没有发过来
垃圾邮件也翻了，没有
买了四张只发了两张
少发了一张卡
我都等{time}了还没收到码
一直没来码
卡密没显示出来，邮件也没有
付完钱啥也没有
还没给我发货呢
付款了没收到东西
迟迟未收到兑换码
码到现在都没收到
怎么还没发码
""",
        "es": """
mi correo está vacío, no me llegó el código
me llegó el recibo pero no el código
solo me llegó la confirmación, ¿y el código?
me quitaron el dinero y no tengo la clave
no me entregaron nada
llevo toda la mañana esperando y la clave no llega
todavía no me llega el código y pagué {amount}
creo que se les olvidó mandarme la clave
falta el código en mi pedido {order}
nunca me mandaron el código
la tarjeta de regalo nunca llegó
no veo el código por ningún lado
revisé spam y promociones y nada
compré cuatro códigos y me llegaron dos
aún no tengo mi código
sigo sin recibir nada, ya pagué
me cobraron y no me dieron el producto
no me llegó nada después de pagar
nomás me llegó el recibo
ya pagué y nada de código
""",
        "mixed": """
钱付了 but no key yet
""",
    },
    "invalid_key": {
        "en": """
the key says duplicate product code
it keeps telling me the code isn't valid
the voucher shows as already redeemed but I never used it
the code is expired right after I bought it
the card number is not recognised
{platform} won't accept the code
the code fails every time I enter it
your code is dead
the key doesn't redeem, error says it's invalid
it says the code was already claimed
getting an invalid code error on {platform}
the code doesn't seem to be real
nothing accepts this code
the pin is wrong
the voucher code is incorrect
this key was already activated by someone else
the product key is invalid according to the launcher
the balance of the gift card is zero
key status: used
the code gives an error, can you replace it?
it says the key has been revoked
this code is not valid, I double checked every character
""",
        "zh": """
提示重复的产品代码
一直说代码无效
显示已经被兑换了，可是我没用过
刚买的码就提示过期
卡号不对
{platform}不接受这个码
每次输都失败
这个码是死码
兑换报错说无效
提示已被领取
卡号或密码错误
充不进去，说卡密不对
这个码好像是假的
序列号提示不正确
激活码被别人激活了
余额为0，被用过了
码提示已失效
兑换失败，提示卡密无效
换个码吧，这个不能用
提示兑换码不存在或已被使用
""",
        "es": """
me dice que es un código de producto duplicado
sigue diciendo que el código no es válido
aparece como ya canjeado y yo no lo usé
el código salió caducado apenas lo compré
no reconoce el número de la tarjeta
{platform} no acepta el código
falla cada vez que lo pongo
la clave está vencida
dice que el código ya fue reclamado
el código no parece real
el pin está mal
la clave ya la activó otra persona
la tarjeta tiene saldo cero
me da error el código, ¿me lo cambian?
dice que la clave fue revocada
la consola no acepta la clave
el código sale como incorrecto
""",
        "mixed": """
code 一直 invalid
""",
    },
    "wrong_region": {
        "en": """
the code is for a different market
it only works on American accounts
my account is registered in {region}, the voucher is for {region}
the game is locked to Asia and I'm in Europe
the card is from the {region} store, mine is {region}
the key is for another country's store
my store country doesn't match the card
Steam says the product can't be activated in my country
not redeemable in my country
this code belongs to another region's store
the eShop card is from another country
Xbox says the code is for a different country or market
I live in {region} and the card is for {region} accounts
can you swap it for my region?
the key won't work because my account country is {region}
it's a region-specific code for {region}
""",
        "zh": """
提示此代码适用于其他市场
只能美国账号用
我的账号注册在{region}，卡是{region}的
游戏锁亚洲，我在欧洲
这是外区的卡吧，我的号用不了
跨区用不了
海外账号兑换不了
账号国家和卡不一致
提示该产品无法在您所在的国家激活
卡是别的国家的
能换成我这个区的吗
区服不对
我的是{region}账号，给的卡是{region}
这张卡是哪个区的，我换不了
""",
        "es": """
el código es de otro mercado
solo sirve para cuentas americanas
mi cuenta está registrada en {region} y la tarjeta es de {region}
el juego está bloqueado para Asia y yo estoy en Europa
la tarjeta es de otra tienda de otro país
mi país no coincide con el de la tarjeta
no se puede activar en mi país
la tarjeta de la eShop es de otro país
vivo en {region} y la tarjeta es para cuentas de {region}
¿me la cambian por una de mi región?
no es de mi zona
es un código solo para {region}
""",
        "mixed": """
这个卡是 {region} store 的, 我是{region}
""",
    },
    "activation_help": {
        "en": """
what do I click to add the key to my library?
which menu on the console has the redeem option?
can I redeem from the mobile app?
walk me through adding the balance to my account
I'm not a gamer, I bought this for my kid, how do I use it?
do I type the dashes too?
where does the credit show after redeeming?
do I need to add a card to my account before redeeming?
is there a video tutorial for redeeming?
can I activate it on the Steam Deck?
where is redeem in the Microsoft Store?
does it matter which account I'm signed in to?
I see a field that says enter code, is that it?
how do I add this to my Apple ID balance?
step by step instructions please, how do I redeem?
do I redeem it on the console or on the website?
how do I activate the product key in the launcher?
""",
        "zh": """
key要在客户端哪里添加
主机上哪个菜单能兑换
手机app上能兑换吗
一步一步教我把余额充进去
我不玩游戏，给孩子买的，这个怎么用
横杠要输吗
兑换后余额在哪看
兑换前要先绑卡吗
有兑换视频吗
Steam Deck上能激活吗
微软商店兑换入口在哪
要登录哪个账号兑换
输入代码的框是这个吗
怎么充到Apple ID余额
求一步一步的兑换教程
在主机上兑换还是网页兑换
库里怎么添加游戏
""",
        "es": """
¿dónde le doy para agregar la key a mi biblioteca?
¿en qué menú de la consola está la opción de canjear?
¿puedo canjear desde la app del celular?
explíquenme cómo cargar el saldo a la cuenta
no juego videojuegos, lo compré para mi hijo, ¿cómo se usa?
¿pongo también los guiones?
¿dónde veo el saldo después de canjear?
¿tengo que agregar una tarjeta antes de canjear?
¿hay un video de cómo canjear?
¿se puede activar en Steam Deck?
¿dónde está canjear en la Microsoft Store?
¿con qué cuenta tengo que iniciar sesión?
¿cómo agrego esto al saldo de mi Apple ID?
instrucciones paso a paso por favor
""",
        "mixed": """
how do I 激活 this on {platform}
""",
    },
    "refund_request": {
        "en": """
I want my money returned
please return my funds
requesting reimbursement for order {order}
undo the purchase and give me my money back
reverse the charge please, I don't want it
what's your refund policy? I want to return this
my son bought this by accident, refund it please
you promised a refund last week, still waiting
send the money back to my card
I'd rather have the money back than a new key
cancel it and return the payment
I want to return my purchase
give me back the {amount}
I never redeemed it, refund please
""",
        "zh": """
把钱退回来
原路退回
麻烦退回原卡
钱退我支付宝吧
退款流程是什么
孩子误买的，能退吗
答应的退款还没到账
取消订单，把钱还我
不要补发了，退钱
我想退货退款
退我{amount}
码没用过，退了吧
申请退费
帮我把这单退了
""",
        "es": """
quiero que me regresen el dinero
regrésenme la plata
devuélvanme el pago
anulen la compra y devuelvan el dinero
¿cuál es su política de devoluciones?
mi hijo lo compró sin querer, ¿me lo devuelven?
me prometieron el reembolso y no ha llegado
prefiero el dinero que otra clave
quiero devolver mi compra
regresen el pago a mi tarjeta
no lo he canjeado, reembólsenme
cancelen todo y devuélvanme los {amount}
""",
        "mixed": """
退款 please, I want my money back
""",
    },
    "payment_issue": {
        "en": """
my card was debited but the site says the transaction was unsuccessful
I was billed twice
there are two identical charges on my statement
checkout says payment declined but my card is fine
the payment screen froze, did it go through?
my bank blocked the payment, can I use another method?
the total at checkout is higher than the product price
Stripe throws an error when I enter my card
I was charged in a different currency
the order expired while I was approving the payment in my bank app
Apple Pay doesn't work at checkout
Google Pay fails every time
there's a hold on my card from your site
the pay button does nothing
I can't pay with my card
the payment didn't go through but money is gone
my payment is pending for hours
the transaction shows unsuccessful but I was debited {amount}
can I pay with Alipay? the card keeps failing
""",
        "zh": """
银行卡扣钱了，网站说交易失败
扣了两次钱
账单上有两笔一样的扣款
结账显示支付被拒，卡没问题
付款页面卡住了
银行拦截了付款，能换个方式吗
结算金额比标价高
输卡号就报错
按别的币种扣的钱
在银行app确认付款时订单过期了
Apple Pay付不了
付款按钮没反应
卡上有一笔冻结的预授权
钱扣了但交易失败
付款一直在等待中
网页支付不了
支付失败但是扣钱了
""",
        "es": """
me debitaron pero la página dice que la transacción no se completó
me cobraron dos veces
hay dos cargos iguales en mi estado de cuenta
al pagar dice pago rechazado
se congeló la pantalla de pago
mi banco bloqueó el pago, ¿puedo pagar de otra forma?
el total salió más alto que el precio
me cobraron en otra moneda
el pedido caducó mientras aprobaba el pago en el banco
no puedo pagar con Mercado Pago
hay un cargo retenido en mi tarjeta
el botón de pagar no hace nada
el pago no pasó pero me quitaron el dinero
el pago sigue pendiente desde hace horas
""",
        "mixed": """
付款 declined 了, card is fine
""",
    },
    "order_status": {
        "en": """
is my order still in the queue?
has my order been approved yet?
any news on my preorder?
how long does the verification of an order take?
what stage is my order at?
what's the usual delivery time for {platform} codes?
has my order been processed yet?
can you confirm my order went through?
is everything fine with my order? it's still pending
I'd like an update on order {order}
what does on hold mean?
when will you restock, my order is waiting for stock
where can I see my order progress?
how long does confirmation normally take?
is my presale order on schedule?
""",
        "zh": """
订单还在排队吗
订单审核通过了吗
预购有消息吗
订单审核要多久
订单到哪一步了
{platform}的码一般多久发
订单处理了吗
订单下成功了吗
订单一直待处理，正常吗
想知道订单{order}的进度
订单冻结是什么意思
什么时候补货，我的单在等库存
在哪看订单进度
预售的单什么时候发
我的订单什么情况了
""",
        "es": """
¿mi pedido sigue en cola?
¿ya aprobaron mi pedido?
¿alguna noticia de mi preventa?
¿cuánto tarda la verificación de un pedido?
¿en qué paso va mi pedido?
¿cuánto tardan los códigos de {platform}?
¿ya procesaron mi orden?
¿me confirman que entró mi pedido?
mi pedido sigue pendiente, ¿todo bien?
quiero saber el avance de mi orden {order}
¿qué significa retenido?
¿cuándo reponen stock? mi pedido está esperando
¿dónde veo el avance de mi compra?
""",
        "mixed": """
my order 一直 pending, any update
""",
    },
    "description_mismatch": {
        "en": """
the balance added was less than the card value I paid for
I bought a {amount} card and only got half credited
the page said it includes the season pass, it doesn't
it's a trial code, the listing never said trial
the code is PC only, the page said console too
I picked 2000 points and got 1000
the item details don't match what I received
the photo shows the gold edition, I got the base game
the listing said 3 months, I got 30 days
the bundle was advertised with more DLC than I got
the membership tier is lower than listed
what I got is not the edition in the title
the language version is different from the description
""",
        "zh": """
到账金额比面值少
买的{amount}的卡只到账一半
页面说包含季票，实际没有
是体验卡，页面没写
只能PC用，页面写的主机也能用
选的2000点只到了1000
收到的和商品详情对不上
图片是黄金版，给的是本体
页面写三个月，给的30天
宣传的DLC比实际给的多
会员等级比写的低
版本和标题写的不一样
语言版本和描述不一样
""",
        "es": """
me cargaron menos saldo del que pagué
compré una tarjeta de {amount} y solo se acreditó la mitad
decía que incluía el pase de temporada y no viene
es una prueba gratuita, el anuncio no lo decía
solo funciona en PC y decía que también en consola
elegí 2000 puntos y me dieron 1000
lo que recibí no coincide con los detalles del producto
en la foto sale la edición Gold y me dieron la base
el anuncio decía 3 meses y me dieron 30 días
el nivel de la membresía es menor que el anunciado
no es la edición del título
""",
        "mixed": """
页面写的是 3 months, 只给了 1 month
""",
    },
    "account_security": {
        "en": """
I keep getting verification texts I didn't request
my Apple ID was locked for suspicious activity
someone reset my password
I was logged out of every device and my email changed
my login details leaked, how do I protect my account?
a phone number that isn't mine was added to my account
a device I don't recognise is signed in to my account
someone signed in from {region} last night
the recovery email on my account was changed
how do I turn on two-step verification?
I got a Steam Guard email for a login that wasn't me
my account was broken into
someone got into my account
""",
        "zh": """
一直收到验证码短信，不是我操作的
Apple ID因为可疑活动被锁
密码被人重置了
所有设备都被踢下线了，邮箱也被改了
登录信息泄露了，怎么保护账号
账号绑了一个陌生手机号
陌生设备登录了我的账号
昨晚有人从{region}登录
恢复邮箱被改了
怎么开两步验证
收到steam令牌邮件，不是我登录的
账号被人登了
有人进了我的账号
""",
        "es": """
me siguen llegando códigos por SMS que no pedí
bloquearon mi Apple ID por actividad sospechosa
alguien restableció mi contraseña
me sacaron de todos los dispositivos y cambiaron mi correo
se filtraron mis datos de acceso, ¿cómo protejo la cuenta?
agregaron a mi cuenta un teléfono que no es mío
hay un dispositivo desconocido en mi cuenta
alguien inició sesión desde {region} anoche
cambiaron el correo de recuperación
me llegó un aviso de Steam Guard de un acceso que no fui yo
alguien se metió a mi cuenta
""",
        "mixed": """
someone 登了我的号
""",
    },
    "fraud_report": {
        "en": """
there's a charge from your store that I never authorized
a charge of {amount} from you appeared and I didn't make it
my mom's card was charged by your site and nobody bought anything
someone used my PayPal to buy gift cards here
a fake site with your logo is selling cheap keys
someone pretending to be your support asked for my key
I got an email pretending to be you asking for my password
someone is reselling your codes and scamming people
the codes you sell were bought with stolen cards
someone impersonating your shop on social media took my money
I want to file a fraud report
there is a copycat store with almost the same domain
I did not place this order, someone used my card
""",
        "zh": """
卡上有一笔你们店的消费，不是我刷的
多了一笔{amount}的扣款，不是我买的
我妈的卡被你们网站扣了钱，没人买过
有人拿我的PayPal在这买卡
有个假网站用你们的logo卖低价key
有人冒充你们客服问我要卡密
有人冒充你们发邮件骗我密码
有人倒卖你们的码骗人
你们卖的码是盗刷来的
有人在社交平台冒充你们骗钱
我要举报诈骗
有个山寨店域名跟你们差不多
这单不是我下的，有人盗用了我的卡
""",
        "es": """
hay un cargo de su tienda que yo nunca autoricé
aparece un cobro de {amount} que yo no hice
a mi mamá le cobraron en su web y nadie compró nada
alguien usó mi PayPal para comprar aquí
una web falsa con su logo vende claves baratas
alguien que se hace pasar por soporte me pidió la clave
me llegó un correo falso de ustedes pidiendo la contraseña
alguien revende sus códigos y estafa a la gente
los códigos fueron comprados con tarjetas robadas
alguien se hace pasar por ustedes en redes y me robó
quiero denunciar un fraude
hay una tienda copia con un dominio casi igual
yo no hice este pedido, usaron mi tarjeta
""",
        "mixed": """
有人用我的卡 bought keys here, not me
""",
    },
    "talk_to_human": {
        "en": """
I want to chat with an actual person
can I speak to someone from your team?
is there a number I can call to reach someone?
get a real agent please
I'm done talking to the bot
I need a supervisor
can a staff member contact me?
are there any humans there?
hand me over to live support
I want an employee, not automatic answers
have someone from customer care reach out to me
connect me with a real human
""",
        "zh": """
换个真人客服
我想跟你们工作人员聊
有电话能找到人吗
叫个真人来
别自动回复了
我要找主管
让客服联系我
有真人吗
转真人
不要机器人
找人工对接
让人工跟我说
""",
        "es": """
quiero chatear con una persona de verdad
¿puedo hablar con alguien de su equipo?
¿hay un número para hablar con alguien?
que me atienda un agente real
ya no quiero hablar con el bot
necesito un supervisor
¿alguien del equipo me puede contactar?
¿hay humanos ahí?
páseme con soporte en vivo
quiero un empleado, no respuestas automáticas
que me contacte atención al cliente
""",
        "mixed": """
real person 人工 please
""",
    },
    "other": {
        "en": """
+everything arrived instantly and redeemed fine, appreciate it
+cheers, all sorted
do you carry Spotify codes?
good evening
do you have a loyalty program?
can I buy a code as a gift for a friend?
can I send the code to my friend's email as a present?
what's your cheapest card?
I need a receipt for my company
+your shop is excellent
are you open on weekends?
do you offer wholesale prices?
where is your company based?
do you have Roblox cards?
bye
alright
+great experience, will buy again
do you sell PlayStation Plus memberships?
is it safe to buy here?
what currencies do you accept?
""",
        "zh": """
+秒到，兑换成功，感谢
+搞定了，多谢
有Spotify卖吗
晚上好
有积分吗
能买来送朋友吗
可以发到朋友邮箱当礼物吗
最便宜的卡多少钱
需要一张公司收据
+店不错，会再来
周末营业吗
有批发价吗
你们在哪个城市
有Roblox卡吗
拜拜
行吧
+体验很好，回购
有PS会员卖吗
在这买安全吗
支持哪些币种
""",
        "es": """
+llegó al instante y lo canjeé sin problema, se agradece
+listo, gracias crack
¿venden códigos de Spotify?
buenas noches
¿tienen programa de puntos?
¿puedo comprar un código para regalárselo a un amigo?
¿se lo puedo mandar al correo de mi amigo como regalo?
¿cuál es la tarjeta más barata?
necesito un recibo para mi empresa
+excelente tienda
¿atienden en fin de semana?
¿tienen precio de mayoreo?
¿en qué país están?
¿tienen tarjetas de Roblox?
adiós
+muy buena experiencia, vuelvo a comprar
¿es seguro comprar aquí?
""",
        "mixed": """
+收到 thanks, 好评
""",
    },
}
for _intent, _blocks in MORE.items():
    for _language, _block in _blocks.items():
        SENTENCES[_intent][_language] += _block
