% rebase('layout.tpl')
<p class="back"><a href="/tickets">&larr; {{t('Tickets')}}</a> · <a href="/tickets/{{k.number}}/card">job card</a></p>
<h1>{{card['number']}} · {{k.summary}}</h1>
% if error:
<p class="error" role="alert">{{error}}</p>
% end
<dl class="facts">
  <dt>{{t('Status')}}</dt><dd>{{k.status}}{{' — ' + k.pending_reason if k.status == 'pending' else ''}}</dd>
  <dt>Category</dt><dd>{{card['category'] or '-'}}</dd>
  <dt>{{t('Customers')}}</dt><dd><a href="/customers/{{k.customer_id}}">{{card['customer']['name'] or card['customer']['phone']}}</a> · {{card['customer']['phone']}} · {{card['customer']['address']}}</dd>
  <dt>Technician</dt><dd>{{card['technician']['name'] if card['technician'] else '-'}}</dd>
  % clocks = sla(k)
  <dt>Response</dt><dd>{{card['sla']['response']}} · due {{when(k.response_due)}} ({{'answered ' + when(k.first_response_at) if k.first_response_at else until(k.response_due)}})</dd>
  <dt>Resolution</dt><dd>{{card['sla']['resolution']}} · due {{when(k.resolution_due)}} ({{('resolved ' + when(k.resolved_at)) if k.resolved_at else ('paused while pending; the wait is added when work goes on' if clocks['resolution'].state == 'paused' else until(k.resolution_due))}})</dd>
  % if k.detail:
  <dt>Detail</dt><dd>{{k.detail}}</dd>
  % end
  % if k.resolution:
  <dt>Resolution</dt><dd>{{k.resolution}}</dd>
  % end
</dl>
% if user.role != 'viewer':
<section class="card">
  % if user.role in ('owner', 'admin', 'frontdesk') and k.status not in ('resolved', 'closed'):
  <form method="post" action="/tickets/{{k.number}}" class="row-form">
    <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="action" value="assign">
    <label>Technician <select name="technician">
    % for u in technicians:
      <option value="{{u.id}}" {{'selected' if u.id == k.assignee_id else ''}}>{{u.full_name or u.username}}{{'' if u.phone else ' (no phone)'}}</option>
    % end
    </select></label>
    <button type="submit">Assign</button>
  </form>
  % end
  <div class="buttons">
  % for action, label, ok in [('accept', 'Accept', k.status in ('new', 'assigned')), ('on_the_way', 'On the way', k.status in ('assigned', 'pending')), ('close', 'Close', k.status == 'resolved'), ('reopen', 'Reopen', k.status in ('resolved', 'closed'))]:
  % if ok:
    <form method="post" action="/tickets/{{k.number}}" class="inline"><input type="hidden" name="csrf" value="{{csrf}}">
      <button type="submit" name="action" value="{{action}}">{{label}}</button></form>
  % end
  % end
  </div>
  % if k.status not in ('resolved', 'closed'):
  <form method="post" action="/tickets/{{k.number}}" class="row-form">
    <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="action" value="pending">
    <label>Pending, because <input name="reason" maxlength="200" required></label><button type="submit">Pending</button>
  </form>
  <form method="post" action="/tickets/{{k.number}}" class="row-form">
    <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="action" value="resolve">
    <label>Resolved: what was done <input name="resolution" maxlength="5000" required></label><button type="submit">Resolve</button>
  </form>
  % end
  <form method="post" action="/tickets/{{k.number}}" class="row-form">
    <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="action" value="note">
    <label>Note <input name="note" maxlength="5000" required></label><button type="submit">{{t('Add')}}</button>
  </form>
</section>
% end
<section class="card">
  <h2>History</h2>
  <ol class="timeline">
  % for e in card['history']:
    <li><span class="when">{{e['at'].strftime('%d %b %H:%M')}}</span> <span class="kind">{{e['kind']}}</span> {{e['user']}} {{e['note']}}</li>
  % end
  </ol>
</section>
