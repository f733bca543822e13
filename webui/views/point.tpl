% rebase('layout.tpl')
<p class="back"><a href="/points">&larr; {{t('Service points')}}</a></p>
<h1>{{p.name}}{{'' if p.active else ' (' + t('closed') + ')'}}</h1>
% if error:
<p class="error" role="alert">{{error}}</p>
% end
<dl class="facts">
  <dt>{{t('Address')}}</dt><dd>{{p.address or '-'}}</dd>
  <dt>{{t('Phone')}}</dt><dd>{{!('<a class="nowrap" href="tel:%s">%s</a>' % (p.phone, phone_number(p.phone))) if p.phone else '-'}}</dd>
  <dt>{{t('Engineers')}}</dt><dd>
  % for u in engineers:
    <span class="nowrap">{{u.full_name or u.username}}{{!(' · <a href="tel:%s">%s</a>' % (u.phone, phone_number(u.phone))) if u.phone else ''}}</span><br>
  % end
  {{'' if engineers else t('none yet')}}</dd>
  <dt>{{t('SLA')}}</dt><dd>
    % include('point_sla.tpl', p=p)
    </dd>
</dl>
<section class="card">
  <h2>{{t('Open tickets')}}</h2>
  <ul class="plain">
  % for k in rows:
    % clocks = sla(k)
    <li><a href="/tickets/{{k.number}}">T-{{'%04d' % k.number}}</a> · {{who(k.customer)}} · {{k.summary[:80]}}
      <span class="meta">{{label(k.status)}} · {{(k.assignee.full_name or k.assignee.username) if k.assignee_id else t('no technician yet')}} · <span class="{{'bad' if clocks['resolution'].state == 'late' else ''}}">{{t('ok') if clocks['resolution'].done_at else (t('paused') if clocks['resolution'].state == 'paused' else until(k.resolution_due))}}</span></span></li>
  % end
  </ul>
  % if not rows:
  <p class="empty">{{t('No open tickets.')}}</p>
  % end
</section>
% if may_edit:
<details class="card" id="engineers"><summary>{{t('Engineers')}}</summary>
<form method="post" action="/points/{{p.id}}">
  <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="action" value="engineers">
  % chosen = {u.id for u in engineers}
  % for u in technicians:
  <label class="check"><input type="checkbox" name="engineer" value="{{u.id}}" {{'checked' if u.id in chosen else ''}}> {{u.full_name or u.username}}</label>
  % end
  % if not technicians:
  <p class="meta">{{t('No technicians yet: add them under Settings, Users.')}}</p>
  % end
  <button type="submit" class="primary">{{t('Save')}}</button>
</form></details>
<details class="card" id="edit"{{!' open' if error else ''}}><summary>{{t('Change the service point')}}</summary>
<form method="post" action="/points/{{p.id}}">
  <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="action" value="save">
  <label>{{t('Name')}} <input name="name" value="{{typed.get('name', p.name)}}" required maxlength="64"></label>
  <label>{{t('Address')}} <input name="address" value="{{typed.get('address', p.address)}}" maxlength="500"></label>
  <label>{{t('Phone')}} <input name="phone" value="{{typed.get('phone', phone_number(p.phone) if p.phone else '')}}" maxlength="40" inputmode="tel"></label>
  <div class="row-form">
  <label>{{t('First answer within (hours)')}} <input name="response" value="{{typed.get('response_hours', p.response_minutes // 60 if p.response_minutes else '')}}" inputmode="numeric" maxlength="5" placeholder="{{t("the category's")}}"></label>
  <label>{{t('Resolved within (hours)')}} <input name="resolution" value="{{typed.get('resolution_hours', p.resolution_minutes // 60 if p.resolution_minutes else '')}}" inputmode="numeric" maxlength="5" placeholder="{{t("the category's")}}"></label>
  </div>
  <label class="check"><input type="checkbox" name="active" {{'checked' if p.active else ''}}> {{t('Open (takes tickets)')}}</label>
  <button type="submit" class="primary">{{t('Save')}}</button>
</form></details>
% end
