% rebase('layout.tpl')
<h1>{{t('Tickets')}}</h1>
<form method="get" action="/tickets" class="search">
  <label>{{t('Search')}} <input type="search" name="q" value="{{q}}" maxlength="100" placeholder="{{t('T-0042, a phone, a name or words')}}"></label>
  <label>{{t('Status')}} <select name="status">
    <option value="">{{t('open')}}</option>
    % for s in ('new', 'assigned', 'pending', 'resolved', 'closed', 'all'):
    <option value="{{s}}" {{'selected' if s == status else ''}}>{{label(s)}}</option>
    % end
  </select></label>
  <label>{{t('Category')}} <select name="category"><option value="">-</option>
    % for c in categories:
    <option value="{{c.id}}" {{'selected' if c.id == category else ''}}>{{c.name}}</option>
    % end
  </select></label>
  % if points:
  <label>{{t('Service point')}} <select name="point"><option value="">-</option>
    % for p in points:
    <option value="{{p.id}}" {{'selected' if point and p.id == point.id else ''}}>{{p.name}}</option>
    % end
  </select></label>
  % end
  <label class="check"><input type="checkbox" name="mine" value="1" {{'checked' if mine else ''}}> {{t('mine')}}</label>
  <button type="submit">{{t('Open')}}</button>
</form>
<p>
% if may_report:
<a href="/tickets/report">{{t('Ticket report')}}</a> ·
% end
<a href="/points">{{t('Service points')}}</a></p>
<table>
<thead><tr><th>#</th><th>{{t('Customers')}}</th><th>{{t('Summary')}}</th><th>{{t('Status')}}</th><th>{{t('Response')}}</th><th>{{t('Resolution')}}</th><th>{{t('Technician')}}</th></tr></thead>
<tbody>
% for k in rows:
<tr>
  <td><a href="/tickets/{{k.number}}">T-{{'%04d' % k.number}}</a></td>
  <td>{{who(k.customer)}}</td>
  <td>{{k.summary[:80]}}{{(' · ' + t('visit {when}').format(when=when(k.visit_at))) if k.visit_at and k.status not in ('resolved', 'closed') else ''}}</td>
  <td>{{label(k.status)}}</td>
  % clocks = sla(k)
  % for c in (clocks['response'], clocks['resolution']):
  <td class="{{'bad' if c.state == 'late' else ''}}">{{t('ok') if c.done_at else (t('paused') if c.state == 'paused' else until(c.due))}}</td>
  % end
  <td>{{k.assignee.username if k.assignee_id else '-'}}</td>
</tr>
% end
</tbody></table>
% if not rows:
<p class="empty">{{t('No tickets match.')}}</p>
% end
<nav class="pages">
  % if page > 1:
  <a href="/tickets?{{filters + '&' if filters else ''}}page={{page - 1}}">{{t('Newer')}}</a>
  % end
  % if more:
  <a href="/tickets?{{filters + '&' if filters else ''}}page={{page + 1}}">{{t('Older')}}</a>
  % end
</nav>
% if user.role in ('owner', 'admin', 'frontdesk'):
<details class="card" id="new"{{!' open' if prefill else ''}}><summary>{{t('New ticket')}}</summary>
<form method="post" action="/tickets">
  <input type="hidden" name="csrf" value="{{csrf}}">{{!'<input type="hidden" name="from" value="inbox">' if from_inbox else ''}}
  <label>{{t('Phone')}} <input name="phone" required maxlength="40" inputmode="tel" value="{{prefill}}"></label>
  <label>{{t('Problem')}} <textarea name="text" rows="3" required maxlength="5000"></textarea></label>
  % if points:
  <label>{{t('Service point')}} <select name="point"><option value="">-</option>
  % for p in points:
    <option value="{{p.id}}" {{'selected' if point and p.id == point.id else ''}}>{{p.name}}</option>
  % end
  </select></label>
  % end
  <button type="submit" class="primary">{{t('Add')}}</button>
</form></details>
% end
