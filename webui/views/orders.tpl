% rebase('layout.tpl')
<h1>{{t('Orders')}}</h1>
% if error:
<p class="error" role="alert">{{error}}</p>
% end
% if claims:
<section class="card"><h2>{{t('Payment claims to check')}}</h2><ul class="plain">
% for c in claims:
  <li><a href="/orders/{{c.order.number}}">O-{{c.order.number}}</a> · {{money(c.amount)}} · {{when(c.claimed_at)}} · {{c.text[:80]}}
  % if user.role in ('owner', 'admin', 'frontdesk'):
    <form method="post" action="/orders/{{c.order.number}}" class="inline">
      <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="claim" value="{{c.id}}">
      <button type="submit" name="action" value="verify" data-confirm="{{t('Mark {amount} as paid? The customer gets an SMS.').format(amount=money(c.amount))}}">{{t('verify: paid')}}</button>
    </form>
  % end
  </li>
% end
</ul></section>
% end
<form method="get" action="/orders" class="search">
  <label>{{t('Status')}} <select name="status"><option value="">{{t('all')}}</option>
  % for s in statuses:
    <option value="{{s}}" {{'selected' if s == status else ''}}>{{label(s)}}</option>
  % end
  </select></label><button type="submit">{{t('Open')}}</button>
</form>
<table><thead><tr><th>#</th><th>{{t('Customers')}}</th><th>{{t('Total')}}</th><th>{{t('Status')}}</th><th>{{t('Pay by')}}</th></tr></thead><tbody>
% for o in rows:
<tr><td><a href="/orders/{{o.number}}">O-{{o.number}}</a></td><td>{{who(o.customer)}}</td><td>{{money(o.total)}}</td><td>{{label(o.status)}}</td><td>{{when(o.payment_due) if o.status == 'awaiting_payment' else ''}}</td></tr>
% end
</tbody></table>
<nav class="pages">
  % if page > 1:
  <a href="/orders?status={{status}}&page={{page - 1}}">{{t('Newer')}}</a>
  % end
  % if more:
  <a href="/orders?status={{status}}&page={{page + 1}}">{{t('Older')}}</a>
  % end
</nav>
% if user.role in ('owner', 'admin', 'frontdesk'):
<details class="card" id="new"{{!' open' if prefill else ''}}><summary>{{t('New order')}}</summary>
<form method="post" action="/orders">
  <input type="hidden" name="csrf" value="{{csrf}}">{{!'<input type="hidden" name="from" value="inbox">' if from_inbox else ''}}
  <label>{{t('Phone')}} <input name="phone" required maxlength="40" inputmode="tel" value="{{prefill}}"></label>
  % for n in range(1, 6):
  <div class="row-form">
    <label>{{t('Item {n}').format(n=n)}} <select name="product{{n}}"><option value="">-</option>
    % for p in products:
      <option value="{{p.id}}">{{goods_label(p)}}</option>
    % end
    </select></label>
    <label>{{t('qty')}} <input name="quantity{{n}}" value="1" inputmode="numeric" maxlength="5"></label>
  </div>
  % end
  <label>{{t('Shipping cost (Rp)')}} <input name="shipping" inputmode="numeric" maxlength="30" placeholder="0"></label>
  <label>{{t('Notes')}} <input name="note" maxlength="500"></label>
  <button type="submit" class="primary">{{t('Add')}}</button>
</form></details>
% end
