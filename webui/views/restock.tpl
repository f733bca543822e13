% rebase('layout.tpl')
<p class="back"><a href="/restock">&larr; {{t('Restock orders')}}</a></p>
<h1>{{ref(r)}} · {{label(r.status)}}</h1>
% if error:
<p class="error" role="alert">{{error}}</p>
% end
<dl class="facts">
  <dt>{{t('Supplier')}}</dt><dd><a href="/suppliers/{{s.id}}">{{s.name}}</a>
  % if s.phone:
 · <span class="nowrap">{{phone_number(s.phone)}}</span>
  % end
  </dd>
  <dt>{{t('Created')}}</dt><dd>{{when(r.created_at)}}{{(' · ' + r.created_by.username) if r.created_by else ''}}</dd>
  % if r.ordered_at:
  <dt>{{t('Ordered')}}</dt><dd>{{when(r.ordered_at)}}</dd>
  % end
  % if r.texted_at:
  <dt>{{t('Sent by SMS')}}</dt><dd>{{when(r.texted_at)}}</dd>
  % end
  % if r.received_at:
  <dt>{{t('Goods came')}}</dt><dd>{{when(r.received_at)}}</dd>
  % end
  % if r.cancelled_at:
  <dt>{{t('Cancelled')}}</dt><dd>{{when(r.cancelled_at)}}</dd>
  % end
  % if cost is not None:
  <dt>{{t('Cost')}}</dt><dd>{{money(cost)}}</dd>
  % end
  % if r.note:
  <dt>{{t('Notes')}}</dt><dd>{{r.note}}</dd>
  % end
</dl>
% if r.status == 'draft':
<form method="post" action="/restock/{{r.id}}" class="card">
  <input type="hidden" name="csrf" value="{{csrf}}">
  % include('restock_lines.tpl')
  <label>{{t('Notes')}} <input name="note" maxlength="500" value="{{typed.get('note', r.note)}}"></label>
  <div class="buttons"><button type="submit" name="action" value="lines">{{t('Save the lines')}}</button></div>
</form>
<div class="buttons">
  <form method="post" action="/restock/{{r.id}}" class="inline"><input type="hidden" name="csrf" value="{{csrf}}">
    <button type="submit" name="action" value="order" class="primary">{{t('Mark as ordered')}}</button></form>
</div>
% elif r.status == 'ordered':
<form method="post" action="/restock/{{r.id}}" class="card receive">
  <h2>{{t('The goods came')}}</h2>
  <p class="meta">{{t('How many of each came? Each number is added to the stock once.')}}</p>
  <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="receipts" value="{{r.receipts}}">
  % for l in lines:
  % left = l.quantity - l.received
  % if left > 0:
  <label>{{l.name}} · {{t('{n} still to come').format(n=number(left))}} <input name="got{{l.id}}" value="{{typed.get('got%d' % l.id, left)}}" inputmode="numeric" maxlength="7"></label>
  % end
  % end
  <button type="submit" name="action" value="receive" class="primary">{{t('Add to stock')}}</button>
</form>
% end
% if r.status != 'draft':
<table><thead><tr><th>{{t('Goods')}}</th><th>{{t('ordered')}}</th><th>{{t('came')}}</th><th>{{t('Cost per unit')}}</th></tr></thead><tbody>
% for l in lines:
<tr><td>{{l.name}}</td><td>{{number(l.quantity)}}</td><td>{{number(l.received)}}</td><td>{{money(l.cost) if l.cost is not None else '-'}}</td></tr>
% end
</tbody></table>
% end
% if sms:
<section class="card"><h2>{{t('Send to the supplier by SMS')}}</h2>
% if can_text:
  <blockquote class="msg out"><p class="text">{{sms}}</p></blockquote>
  <form method="post" action="/restock/{{r.id}}" class="buttons"><input type="hidden" name="csrf" value="{{csrf}}">
    <input type="hidden" name="seen" value="{{r.texted_at.isoformat() if r.texted_at else ''}}">
    <button type="submit" name="action" value="send" data-confirm="{{t('Send this order to {name} by SMS?').format(name=s.name)}}">{{t('Send again by SMS') if r.texted_at else t('Send by SMS')}}</button>
  </form>
% else:
  <p class="meta">{{t('The supplier has no phone number.')}} <a href="/suppliers/{{s.id}}#edit">{{t('Add one')}}</a></p>
% end
</section>
% end
% if r.status == 'ordered' and any(l.received for l in lines):
<form method="post" action="/restock/{{r.id}}" class="buttons"><input type="hidden" name="csrf" value="{{csrf}}">
  <button type="submit" name="action" value="close" data-confirm="{{t('Close this order? The goods not yet come will not be expected any more.')}}">{{t('Close: the rest will not come')}}</button>
</form>
% elif r.status in ('draft', 'ordered'):
<form method="post" action="/restock/{{r.id}}" class="card"><input type="hidden" name="csrf" value="{{csrf}}">
  <label>{{t('Cancel the order')}} <input name="reason" maxlength="200" placeholder="{{t('why (optional)')}}"></label>
  <div class="buttons"><button type="submit" name="action" value="cancel" data-confirm="{{t('Cancel this restock order?')}}">{{t('Cancel the order')}}</button></div>
</form>
% end
