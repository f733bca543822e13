% rebase('layout.tpl')
<p class="back"><a href="/tickets">&larr; {{t('Tickets')}}</a></p>
<h1>{{t('Service points')}}</h1>
<p class="meta">{{t("Branches with their own engineers. A ticket's service point offers its engineers first; its times, when set, override the category's (a customer's project overrides both).")}}</p>
% if error:
<p class="error" role="alert">{{error}}</p>
% end
% for p in points:
<section class="card point{{'' if p.active else ' off'}}">
  <h2><a href="/points/{{p.id}}">{{p.name}}</a>{{'' if p.active else ' (' + t('closed') + ')'}}</h2>
  <dl class="facts">
    <dt>{{t('Address')}}</dt><dd>{{p.address or '-'}}</dd>
    <dt>{{t('Phone')}}</dt><dd>{{!('<a class="nowrap" href="tel:%s">%s</a>' % (p.phone, phone_number(p.phone))) if p.phone else '-'}}</dd>
    <dt>{{t('Engineers')}}</dt><dd>{{', '.join(u.full_name or u.username for u in engineers[p.id]) or t('none yet')}}</dd>
    <dt>{{t('SLA')}}</dt><dd>
    % include('point_sla.tpl', p=p)
    </dd>
    <dt>{{t('Open tickets')}}</dt><dd>{{number(counts.get(p.id, 0))}}</dd>
  </dl>
</section>
% end
% if not points:
<p class="empty">{{t('No service points yet.')}}</p>
% end
% if may_edit:
<details class="card" id="new"{{!' open' if error or not points else ''}}><summary>{{t('New service point')}}</summary>
<form method="post" action="/points">
  <input type="hidden" name="csrf" value="{{csrf}}">
  <label>{{t('Name')}} <input name="name" value="{{typed.get('name', '')}}" required maxlength="64"></label>
  <label>{{t('Address')}} <input name="address" value="{{typed.get('address', '')}}" maxlength="500"></label>
  <label>{{t('Phone')}} <input name="phone" value="{{typed.get('phone', '')}}" maxlength="40" inputmode="tel"></label>
  <div class="row-form">
  <label>{{t('First answer within (hours)')}} <input name="response" value="{{typed.get('response_hours', '')}}" inputmode="numeric" maxlength="5" placeholder="{{t("the category's")}}"></label>
  <label>{{t('Resolved within (hours)')}} <input name="resolution" value="{{typed.get('resolution_hours', '')}}" inputmode="numeric" maxlength="5" placeholder="{{t("the category's")}}"></label>
  </div>
  <button type="submit" class="primary">{{t('Add')}}</button>
</form></details>
% end
