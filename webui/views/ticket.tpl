% rebase('layout.tpl')
<p class="back"><a href="/tickets">&larr; {{t('Tickets')}}</a> · <a href="/tickets/{{k.number}}/card">{{t('job card')}}</a></p>
<h1>{{card['number']}} · {{k.summary}}</h1>
% if error:
<p class="error" role="alert">{{error}}</p>
% end
<dl class="facts">
  <dt>{{t('Status')}}</dt><dd>{{label(k.status)}}{{' — ' + k.pending_reason if k.status == 'pending' else ''}}</dd>
  <dt>{{t('Category')}}</dt><dd>{{card['category'] or '-'}}</dd>
  <dt>{{t('Customers')}}</dt><dd><a href="/customers/{{k.customer_id}}">{{card['customer']['name'] or phone_number(card['customer']['phone'])}}</a>
% if card['customer']['name']:
 · <span class="nowrap">{{phone_number(card['customer']['phone'])}}</span>
% end
{{(' · ' + card['customer']['address']) if card['customer']['address'] else ''}}</dd>
  <dt>{{t('Service point')}}</dt><dd>
  % if point:
  <a href="/points/{{point.id}}">{{point.name}}</a>
  % else:
  -
  % end
  </dd>
  % if project:
  <dt>{{t('Project')}}</dt><dd>{{project.name}} ({{date(project.starts_on, True)}} – {{date(project.ends_on, True)}})</dd>
  % end
  <dt>{{t('SLA')}}</dt><dd>{{t('answer {response}, fix {resolution}').format(response=t('{n} h').format(n=number(round(terms['response_minutes'] / 60, 1))), resolution=t('{n} h').format(n=number(round(terms['resolution_minutes'] / 60, 1))))}} · {{t("the project's") if project else (t("the service point's") if point and (point.response_minutes or point.resolution_minutes) else t("the category's"))}}</dd>
  <dt>{{t('Technician')}}</dt><dd>{{card['technician']['name'] if card['technician'] else '-'}}</dd>
  <dt>{{t('Visit')}}</dt><dd>{{when(k.visit_at) if k.visit_at else t('not planned')}}</dd>
  % clocks = sla(k)
  <dt>{{t('Response')}}</dt><dd>{{t('due {when}').format(when=when(k.response_due))}} ({{t('answered {when}').format(when=when(k.first_response_at)) if k.first_response_at else until(k.response_due)}})</dd>
  <dt>{{t('Resolution')}}</dt><dd>{{t('due {when}').format(when=when(k.resolution_due))}} ({{t('resolved {when}').format(when=when(k.resolved_at)) if k.resolved_at else (t('paused while pending; the wait is added when work goes on') if clocks['resolution'].state == 'paused' else until(k.resolution_due))}})</dd>
  % if k.detail:
  <dt>{{t('Detail')}}</dt><dd>{{k.detail}}</dd>
  % end
  % if k.resolution:
  <dt>{{t('What was done')}}</dt><dd>{{k.resolution}}</dd>
  % end
</dl>
% if user.role != 'viewer':
<section class="card">
  % if user.role in ('owner', 'admin', 'frontdesk') and k.status not in ('resolved', 'closed'):
  <form method="post" action="/tickets/{{k.number}}" class="row-form">
    <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="action" value="assign">
    <label>{{t('Technician')}} <select name="technician">
    % for group, people in ((t("{point}'s engineers").format(point=point.name) if point else '', first), (t('Other technicians') if first else '', others)):
    % if people:
    % if group:
    <optgroup label="{{group}}">
    % end
    % for u in people:
      <option value="{{u.id}}" {{'selected' if u.id == k.assignee_id else ''}}>{{u.full_name or u.username}}{{'' if u.phone else ' (' + t('no phone') + ')'}}</option>
    % end
    % if group:
    </optgroup>
    % end
    % end
    % end
    </select></label>
    <button type="submit">{{t('Assign')}}</button>
  </form>
  % end
  % if user.role in ('owner', 'admin', 'frontdesk') and k.status not in ('resolved', 'closed'):
  % at = local(k.visit_at) if k.visit_at else None
  <form method="post" action="/tickets/{{k.number}}" class="row-form visit-form">
    <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="action" value="visit">
    <label>{{t('Visit date')}} <input type="date" name="visit_date" value="{{at.date().isoformat() if at else ''}}" required></label>
    <label>{{t('Visit time')}} <input type="time" name="visit_time" value="{{at.strftime('%H:%M') if at else ''}}" required></label>
    <label>{{t('Address')}} <input name="address" value="{{k.customer.address}}" maxlength="500" placeholder="{{t('where the technician goes')}}"></label>
    <button type="submit">{{t('Move the visit') if at else t('Plan the visit')}}</button>
  </form>
  % end
  <div class="buttons">
  % for action, text, ok in [('accept', t('Accept'), k.status in ('new', 'assigned')), ('on_the_way', t('On the way'), k.status in ('assigned', 'pending')), ('close', t('Close'), k.status == 'resolved'), ('reopen', t('Reopen'), k.status in ('resolved', 'closed'))]:
  % if ok:
    <form method="post" action="/tickets/{{k.number}}" class="inline"><input type="hidden" name="csrf" value="{{csrf}}">
      <button type="submit" name="action" value="{{action}}">{{text}}</button></form>
  % end
  % end
  </div>
  % if k.status not in ('resolved', 'closed'):
  <form method="post" action="/tickets/{{k.number}}" class="row-form">
    <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="action" value="pending">
    <label>{{t('Pending, because')}} <input name="reason" maxlength="200" required></label><button type="submit">{{t('Pending')}}</button>
  </form>
  <form method="post" action="/tickets/{{k.number}}" class="row-form">
    <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="action" value="resolve">
    <label>{{t('Resolved: what was done')}} <input name="resolution" maxlength="5000" required></label><button type="submit">{{t('Resolve')}}</button>
  </form>
  % end
  % if user.role in ('owner', 'admin', 'frontdesk'):
  <details>
    <summary>{{t('Change the summary or category')}}</summary>
    <form method="post" action="/tickets/{{k.number}}">
      <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="action" value="edit">
      <label>{{t('Summary')}} <input name="summary" value="{{k.summary}}" maxlength="200" required></label>
      <label>{{t('Category')}} <select name="category"><option value="">-</option>
      % for c in categories:
        <option value="{{c.id}}" {{'selected' if c.id == k.category_id else ''}}>{{c.name}}</option>
      % end
      </select></label>
      <label>{{t('Service point')}} <select name="point"><option value="">-</option>
      % for p in points + ([point] if point and not point.active else []):
        <option value="{{p.id}}" {{'selected' if p.id == k.service_point_id else ''}}>{{p.name}}</option>
      % end
      </select></label>
      <p class="meta">{{t("A new category or service point brings its own response and resolution times to the clocks still running (a project's times stay).")}}</p>
      <div class="buttons"><button type="submit">{{t('Save')}}</button></div>
    </form>
  </details>
  % end
  <form method="post" action="/tickets/{{k.number}}" class="row-form">
    <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="action" value="note">
    <label>{{t('Note')}} <input name="note" maxlength="5000" required></label><button type="submit">{{t('Add')}}</button>
  </form>
</section>
% end
<section class="card">
  <h2>{{t('History')}}</h2>
  <ol class="timeline">
  % for e in card['history']:
    <li><span class="when">{{when(e['at'])}}</span> <span class="kind">{{label(e['kind'])}}</span> {{e['user']}} {{e['note']}}</li>
  % end
  </ol>
</section>
