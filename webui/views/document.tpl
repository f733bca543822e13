<!doctype html>
<html lang="{{language}}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{title}}</title><link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/static/print.css"><link rel="stylesheet" href="/static/print-{{paper}}.css">
<script src="/static/loket.js" defer></script></head>
<body class="document paper-{{paper}} {{kind}}">
<nav class="print-bar" lang="{{bar['language']}}">
  <a class="button" href="{{bar['order_href']}}">&larr; {{bar['back']}}</a>
  <button type="button" class="primary" data-print>{{bar['print']}}</button>
  <a class="button" href="{{bar['other_href']}}">{{bar['other']}}</a>
</nav>
<main class="sheet">
<header class="shop">
  <h1>{{shop}}</h1>
  % if shop_address:
  <p>{{shop_address}}</p>
  % end
  % if shop_phone:
  <p>{{t('Phone')}} {{shop_phone}}</p>
  % end
</header>
<h2 class="doc-title">{{t('INVOICE') if kind == 'invoice' else t('RECEIPT')}}</h2>
<dl class="doc-facts">
  <dt>{{t('Number')}}</dt><dd class="doc-number">{{doc_number}}</dd>
  <dt>{{t('Order')}}</dt><dd>{{ref}}</dd>
  <dt>{{t('Date')}}</dt><dd>{{full_date(dated)}}</dd>
  <dt>{{t('Customer')}}</dt><dd>{{who(o.customer)}}
% if o.customer.name:
 · <span class="nowrap">{{phone_number(o.customer.phone)}}</span>
% end
</dd>
  % if o.customer.address:
  <dt>{{t('Address')}}</dt><dd>{{o.customer.address}}</dd>
  % end
</dl>
<table class="lines">
<thead><tr><th class="item">{{t('Item')}}</th><th class="num qty">{{t('Qty')}}</th><th class="num price">{{t('Price')}}</th><th class="num amount">{{t('Amount')}}</th></tr></thead>
<tbody>
% for i in items:
<tr><td class="item">{{i.name}}\\
% if i.code:
 <span class="code">{{i.code}}</span>\\
% end
<span class="each"> {{number(i.quantity)}}{{(' ' + i.unit) if i.unit else ''}} × {{money(i.price)}}</span></td><td class="num">{{number(i.quantity)}}{{(' ' + i.unit) if i.unit else ''}}</td><td class="num">{{money(i.price)}}</td><td class="num amount">{{money(i.quantity * i.price)}}</td></tr>
% end
</tbody>
</table>
% if o.shipping:
<p class="sub-total"><span>{{t('Goods')}}</span> <span>{{money(subtotal)}}</span></p>
<p class="sub-total shipping-cost"><span>{{t('Shipping cost')}}{{(' · ' + o.courier) if o.courier else ''}}</span> <span>{{money(o.shipping)}}</span></p>
% end
<p class="grand-total"><span>{{t('Total')}}</span> <span>{{money(o.total)}}</span></p>
% if kind == 'receipt':
<p class="stamp">{{t('PAID')}}</p>
<p class="paid-on">{{t('Paid on {date}').format(date=full_date(dated))}}</p>
% elif o.status == 'cancelled':
<p class="stamp cancelled">{{t('CANCELLED')}}</p>
% elif o.paid_at:
<p class="stamp">{{t('PAID')}}</p>
<p class="paid-on">{{t('Paid on {date}').format(date=full_date(o.paid_at))}}</p>
% else:
<section class="pay">
  % if o.payment_due:
  <p>{{t('Please pay by {date}.').format(date=full_date(o.payment_due))}}</p>
  % end
  % if pay_to:
  <p>{{t('Pay to:')}} <strong>{{pay_to}}</strong></p>
  % end
  <p>{{t('Then text PAY {order} and the amount.').format(order=ref)}}</p>
</section>
% end
% if kind == 'invoice' and (o.courier or old_note):
<p class="shipped">{{t('Shipped by {courier}').format(courier=o.courier or old_note)}}{{(' · ' + t('tracking number {number}').format(number=o.tracking)) if o.tracking else ''}}</p>
% end
<p class="thanks">{{t('Thank you for shopping with us!')}}</p>
</main>
</body></html>
