% rebase('layout.tpl')
<h1>{{t('Queue')}}</h1>
% if error:
<p class="error" role="alert">{{error}}</p>
% end
<p class="meta">{{t('Serving')}}: {{', '.join(str(n) for n in board['serving']) or '-'}} · {{t('waiting')}}: {{len(board['waiting'])}} · {{t('done')}}: {{board['done']}} · <a href="/display">{{t('waiting-room display')}}</a></p>
% if user.role in ('owner', 'admin', 'frontdesk'):
<form method="post" action="/queue" class="buttons">
  <input type="hidden" name="csrf" value="{{csrf}}">
  <button type="submit" name="action" value="next" class="primary big-button">{{t('Call next')}}</button>
</form>
% end
<table>
<thead><tr><th>#</th><th>{{t('Customers')}}</th><th>{{t('Service')}}</th><th>{{t('Status')}}</th><th>{{t('Wait')}}</th><th></th></tr></thead>
<tbody>
% for k in rows:
<tr class="{{k.status}}">
  <td class="num">{{k.number}}</td>
  <td>{{who(k.customer) if k.customer_id else t('walk-in')}}</td>
  <td>{{k.service.name if k.service_id else '-'}}</td>
  <td>{{label(k.status)}}</td>
  <td>{{t('{minutes} min').format(minutes=eta[k.id]) if k.id in eta else ''}}</td>
  <td>
  % if k.status in ('waiting', 'called') and user.role in ('owner', 'admin', 'frontdesk'):
    <form method="post" action="/queue" class="inline">
      <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="ticket" value="{{k.id}}">
      <button type="submit" name="action" value="skip">{{t('skip')}}</button>
      <button type="submit" name="action" value="done">{{t('done')}}</button>
    </form>
  % end
  </td>
</tr>
% end
</tbody></table>
% if user.role in ('owner', 'admin', 'frontdesk'):
<details class="card" id="new"{{!' open' if prefill else ''}}><summary>{{t('Add to the queue')}}</summary>
<form method="post" action="/queue">
  <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="action" value="join">{{!'<input type="hidden" name="from" value="inbox">' if from_inbox else ''}}
  <label>{{t('Phone')}} ({{t('optional')}}) <input name="phone" maxlength="40" inputmode="tel" value="{{prefill}}"></label>
  <label>{{t('Service')}} <select name="service"><option value="">-</option>
  % for s in services:
    <option value="{{s.id}}">{{s.name}}</option>
  % end
  </select></label>
  <button type="submit" class="primary">{{t('Add')}}</button>
</form></details>
% end
