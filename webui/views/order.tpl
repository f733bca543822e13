% rebase('layout.tpl')
<p class="back"><a href="/orders">&larr; {{t('Orders')}}</a></p>
<h1>{{ref}} · {{label(o.status)}}</h1>
% if error:
<p class="error" role="alert">{{error}}</p>
% end
<dl class="facts">
  <dt>{{t('Customers')}}</dt><dd><a href="/customers/{{o.customer_id}}">{{who(o.customer)}}</a>
% if o.customer.name:
 · <span class="nowrap">{{phone_number(o.customer.phone)}}</span>
% end
{{(' · ' + o.customer.address) if o.customer.address else ''}}</dd>
  <dt>{{t('Total')}}</dt><dd>{{money(o.total)}}{{(' · ' + t('shipping {amount} included').format(amount=money(o.shipping))) if o.shipping else ''}}</dd>
  <dt>{{t('Created')}}</dt><dd>{{when(o.created_at)}}</dd>
  % if o.payment_due and o.status == 'awaiting_payment':
  <dt>{{t('Pay by')}}</dt><dd>{{when(o.payment_due)}} ({{until(o.payment_due)}})</dd>
  % end
  % if o.paid_at:
  <dt>{{t('Paid')}}</dt><dd>{{when(o.paid_at)}}</dd>
  % end
  % if o.shipped_at:
  <dt>{{t('Shipped')}}</dt><dd>{{when(o.shipped_at)}}{{(' · ' + o.courier) if o.courier else ''}}{{(' · ' + t('tracking number {number}').format(number=o.tracking)) if o.tracking else ''}}{{(' · ' + old_note) if old_note else ''}}</dd>
  % end
  % if o.status in ('new', 'awaiting_payment'):
  <dt>{{t('Pay to')}}</dt><dd>{{pay_to or t('not set: the customer is not told where to pay')}}{{!('' if pay_to or user.role != 'owner' else ' · <a href="/settings/shop#orders">' + t('set it') + '</a>')}}</dd>
  % end
  % if o.note:
  <dt>{{t('Notes')}}</dt><dd>{{o.note}}</dd>
  % end
</dl>
%# The next step first: one tap, where the thumb is, before the paperwork.
% if step and user.role in ('owner', 'admin', 'frontdesk'):
<form method="post" action="/orders/{{o.number}}" class="card step-form">
  <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="action" value="status"><input type="hidden" name="status" value="{{step}}">
  <button type="submit" class="primary">{{t('Mark in production') if step == 'in_production' else t('Mark packed')}}</button>
</form>
% end
% if user.role in ('owner', 'admin', 'frontdesk'):
<div class="buttons print-buttons">
  <a class="button" href="/orders/{{o.number}}/invoice">{{t('Invoice (A4)')}}</a>
  <a class="button" href="/orders/{{o.number}}/invoice?paper=58">{{t('Invoice (58 mm)')}}</a>
  % if paid or o.status in ('shipped', 'done'):
  <a class="button" href="/orders/{{o.number}}/receipt">{{t('Receipt (A4)')}}</a>
  <a class="button" href="/orders/{{o.number}}/receipt?paper=58">{{t('Receipt (58 mm)')}}</a>
  % end
</div>
% end
<table class="order-lines"><thead><tr><th>{{t('Item')}}</th><th>{{t('qty')}}</th><th>{{t('price')}}</th></tr></thead><tbody>
% for i in lines:
% thumb = photo_url(i.product_id)
<tr><td>\\
% if thumb:
<img class="thumb" src="{{thumb}}" alt="" width="64" height="64" loading="lazy">\\
% end
<span>{{i.name}}\\
% if i.code:
 <span class="code">{{i.code}}</span>\\
% end
</span></td><td class="nowrap">{{number(i.quantity)}}{{(' ' + i.unit) if i.unit else ''}}</td><td class="nowrap">{{money(i.price)}}</td></tr>
% end
</tbody>
% if o.shipping:
<tfoot><tr><td colspan="2">{{t('Goods')}}</td><td class="nowrap">{{money(subtotal)}}</td></tr>
<tr><td colspan="2">{{t('Shipping cost')}}</td><td class="nowrap">{{money(o.shipping)}}</td></tr>
<tr><th colspan="2">{{t('Total')}}</th><th class="nowrap">{{money(o.total)}}</th></tr></tfoot>
% end
</table>
% if editable and user.role in ('owner', 'admin', 'frontdesk'):
<details class="card order-edit" id="change"{{!' open' if editing else ''}}><summary>{{t('Change the order')}}</summary>
<form method="post" action="/orders/{{o.number}}#change">
  <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="action" value="edit"><input type="hidden" name="seen" value="{{version}}">
  <p class="meta">{{t('0 takes an item off. The stock follows each change.')}}{{(' ' + t('Paid: the total may go down, not up.')) if paid else ''}}{{(' ' + t('The customer gets an SMS with the new total.')) if o.status == 'awaiting_payment' else ''}}</p>
  % for i in lines:
  <label>{{i.name}}{{(' · ' + i.code) if i.code else ''}} · {{money(i.price)}} <span class="qty"><input name="qty{{i.id}}" value="{{i.quantity}}" inputmode="numeric" maxlength="6"> {{i.unit}}</span></label>
  % end
  % for n in range(1, 3):
  <div class="row-form">
    <label>{{t('Add goods')}} <select name="add{{n}}"><option value="">-</option>
    % for p in products:
      <option value="{{p.id}}">{{goods_label(p)}}</option>
    % end
    </select></label>
    <label>{{t('qty')}} <input name="addqty{{n}}" value="1" inputmode="numeric" maxlength="6"></label>
  </div>
  % end
  <label>{{t('Shipping cost (Rp)')}} <input name="shipping" value="{{number(o.shipping)}}" inputmode="numeric" maxlength="30"></label>
  <button type="submit" class="primary">{{t('Save the changes')}}</button>
</form></details>
% end
% if claims:
<section class="card"><h2>{{t('Payment claims')}}</h2>
% for c in claims:
  <div class="row-form">
    <span>{{when(c.claimed_at)}} · {{money(c.amount)}} · {{label(c.status)}}{{' — ' + c.reason if c.reason else ''}} · “{{c.text[:120]}}”</span>
    % if c.status == 'claimed' and user.role in ('owner', 'admin', 'frontdesk'):
    <form method="post" action="/orders/{{o.number}}" class="inline">
      <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="claim" value="{{c.id}}">
      <button type="submit" name="action" value="verify" data-confirm="{{t('Mark {amount} as paid? The customer gets an SMS.').format(amount=money(c.amount))}}">{{t('verify: paid')}}</button>
    </form>
    <form method="post" action="/orders/{{o.number}}" class="inline">
      <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="claim" value="{{c.id}}">
      <input name="note" placeholder="{{t('why (the customer is told)')}}" maxlength="200" required>
      <button type="submit" name="action" value="reject" data-confirm="{{t('Reject this payment? The customer gets an SMS with the reason.')}}">{{t('reject')}}</button>
    </form>
    % end
  </div>
% end
</section>
% end
% if 'shipped' in next_states and user.role in ('owner', 'admin', 'frontdesk'):
<form method="post" action="/orders/{{o.number}}" class="row-form card ship-form">
  <h2>{{t('Ship')}}</h2>
  <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="action" value="status"><input type="hidden" name="status" value="shipped">
  <label>{{t('Courier')}} <input name="courier" list="couriers" maxlength="{{limits[0]}}" autocomplete="off"></label>
  <datalist id="couriers">
  % for c in couriers:
    <option value="{{c}}">
  % end
  </datalist>
  <label>{{t('Tracking number')}} <input name="tracking" maxlength="{{limits[1]}}" autocomplete="off" autocapitalize="characters" spellcheck="false"></label>
  <button type="submit" data-confirm="{{t('Mark as shipped? The customer gets an SMS with the courier and tracking number.')}}">{{t('Mark shipped')}}</button>
</form>
% end
% others = [s for s in next_states if s not in ('shipped', step)]
% if others and user.role in ('owner', 'admin', 'frontdesk'):
<form method="post" action="/orders/{{o.number}}" class="row-form card">
  <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="action" value="status">
  <label>{{t('Status')}} <select name="status">
  % for s in others:
    <option value="{{s}}">{{label(s)}}</option>
  % end
  </select></label>
  <label>{{t('Note (a reason when cancelling; sent to the customer)')}} <input name="note" maxlength="200"></label>
  <button type="submit">{{t('Save')}}</button>
</form>
% end
