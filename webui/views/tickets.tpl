% rebase('layout.tpl')
<h1>{{t('Tickets')}}</h1>
<form method="get" action="/tickets" class="search">
  <label>{{t('Status')}} <select name="status">
    <option value="">open</option>
    % for s in ('new', 'assigned', 'pending', 'resolved', 'closed', 'all'):
    <option value="{{s}}" {{'selected' if s == status else ''}}>{{s}}</option>
    % end
  </select></label>
  <label>Category <select name="category"><option value="">-</option>
    % for c in categories:
    <option value="{{c.id}}" {{'selected' if c.id == category else ''}}>{{c.name}}</option>
    % end
  </select></label>
  <label class="check"><input type="checkbox" name="mine" value="1" {{'checked' if mine else ''}}> mine</label>
  <button type="submit">{{t('Open')}}</button>
</form>
<p><a href="/tickets/report">Ticket report</a></p>
<table>
<thead><tr><th>#</th><th>{{t('Customers')}}</th><th>Summary</th><th>{{t('Status')}}</th><th>Response</th><th>Resolution</th><th>Technician</th></tr></thead>
<tbody>
% for k in rows:
<tr>
  <td><a href="/tickets/{{k.number}}">T-{{'%04d' % k.number}}</a></td>
  <td>{{k.customer.display_name}}</td>
  <td>{{k.summary[:80]}}</td>
  <td>{{k.status}}</td>
  <td class="{{'bad' if not k.first_response_at and k.response_due and k.response_due < now else ''}}">{{'ok' if k.first_response_at else until(k.response_due)}}</td>
  <td class="{{'bad' if not k.resolved_at and k.status != 'pending' and k.resolution_due and k.resolution_due < now else ''}}">{{'ok' if k.resolved_at else ('paused' if k.status == 'pending' else until(k.resolution_due))}}</td>
  <td>{{k.assignee.username if k.assignee_id else '-'}}</td>
</tr>
% end
</tbody></table>
% if not rows:
<p class="empty">No tickets match.</p>
% end
<nav class="pages">
  % if page > 1:
  <a href="/tickets?status={{status}}&page={{page - 1}}">{{t('Newer')}}</a>
  % end
  % if more:
  <a href="/tickets?status={{status}}&page={{page + 1}}">{{t('Older')}}</a>
  % end
</nav>
% if user.role in ('owner', 'admin', 'frontdesk'):
<details class="card"><summary>New ticket</summary>
<form method="post" action="/tickets">
  <input type="hidden" name="csrf" value="{{csrf}}">
  <label>{{t('Phone')}} <input name="phone" required maxlength="40" inputmode="tel"></label>
  <label>Problem <textarea name="text" rows="3" required maxlength="5000"></textarea></label>
  <button type="submit" class="primary">{{t('Add')}}</button>
</form></details>
% end
