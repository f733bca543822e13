% rebase('layout.tpl')
<p class="back"><a href="/customers">&larr; {{t('Customers')}}</a> · <a href="/inbox/{{quote(c.phone)}}">{{t('Inbox')}}</a></p>
<h1>{{who(c)}}</h1>
% if error:
<p class="error" role="alert">{{error}}</p>
% end
% if c.flag:
<p class="flash warn">{{c.flag}}</p>
% end
<section class="card">
  <h2>{{t('Profile')}}</h2>
  % # A refused save shows what was typed, not the stored profile.
  % v = typed.get('profile') or dict(name=c.name, address=c.address, email=c.email, language=c.language or '', contact_name=c.contact_name, contact_phone=phone_number(c.contact_phone) if c.contact_phone else '', salesperson=c.salesperson_id or 0, tags=', '.join(tags), notes=c.notes, reminder=c.consent_reminder, marketing=c.consent_marketing)
  <form method="post" action="/customers/{{c.id}}">
    <input type="hidden" name="csrf" value="{{csrf}}">
    <label>{{t('Phone')}} <input value="{{phone_number(c.phone)}}" disabled></label>
    <label>{{t('Name')}} <input name="name" value="{{v['name']}}" maxlength="100"></label>
    <label>{{t('Address')}} <input name="address" value="{{v['address']}}" maxlength="500"></label>
    <label>{{t('Email')}} <input name="email" type="email" value="{{v['email']}}" maxlength="254"></label>
    <label>{{t('Language')}}
      <select name="language">
        <option value="" {{'selected' if not v['language'] else ''}}>-</option>
        <option value="id" {{'selected' if v['language'] == 'id' else ''}}>Bahasa Indonesia</option>
        <option value="en" {{'selected' if v['language'] == 'en' else ''}}>English</option>
      </select></label>
    <fieldset><legend>{{t('Contact person')}}</legend>
      <label>{{t('Name')}} <input name="contact_name" value="{{v['contact_name']}}" maxlength="100" autocomplete="off"></label>
      <label>{{t('Phone')}} <input name="contact_phone" value="{{v['contact_phone']}}" maxlength="40" inputmode="tel" autocomplete="off"></label>
      % if c.contact_phone:
      <p class="meta"><a href="tel:{{c.contact_phone}}">{{t('Call {name}').format(name=c.contact_name or phone_number(c.contact_phone))}}</a></p>
      % end
    </fieldset>
    <label>{{t('Salesperson')}} <select name="salesperson"><option value="">-</option>
    % for u in salespeople:
      <option value="{{u.id}}" {{'selected' if u.id == v['salesperson'] else ''}}>{{u.full_name or u.username}}</option>
    % end
    </select></label>
    <label>{{t('Tags')}} <input name="tags" value="{{v['tags']}}" maxlength="1000"></label>
    <label>{{t('Notes')}} <textarea name="notes" rows="3" maxlength="5000">{{v['notes']}}</textarea></label>
    <fieldset><legend>{{t('Consent')}}</legend>
      <label class="check"><input type="checkbox" name="reminder" {{'checked' if v['reminder'] else ''}}> {{t('Reminders')}}</label>
      <label class="check"><input type="checkbox" name="marketing" {{'checked' if v['marketing'] else ''}}> {{t('Promotions')}}</label>
      % if c.flag:
      <label class="check"><input type="checkbox" name="clear_flag"> {{t('clear the flag')}}</label>
      % end
    </fieldset>
    % if user.role in ('owner', 'admin', 'frontdesk'):
    <button type="submit" class="primary">{{t('Save')}}</button>
    % end
  </form>
</section>
<section class="card" id="projects">
  <h2>{{t('Projects')}}</h2>
  <p class="meta">{{t("A ticket this customer opens on a day within a project's dates takes the project's times, over its service point's and its category's.")}}</p>
  % for pr, state in projects:
  <div class="project">
    <p><strong>{{pr.name}}</strong> · <span class="{{'' if state == 'running' else 'meta'}}">{{label(state)}}</span><br>
    {{date(pr.starts_on, True)}} – {{date(pr.ends_on, True)}} · {{t('answer {response}, fix {resolution}').format(response=t('{n} h').format(n=pr.response_minutes // 60), resolution=t('{n} h').format(n=pr.resolution_minutes // 60))}}
    </p>
    % if pr.note:
    <p class="meta">{{pr.note}}</p>
    % end
    % if user.role in ('owner', 'admin'):
    % mine = typed.get('project') == str(pr.id)
    <details{{!' open' if mine else ''}}><summary>{{t('Change')}}</summary>
    % include('project_form.tpl', action='/projects/%d' % pr.id, v=(typed if mine else dict(name=pr.name, starts_on=pr.starts_on.isoformat(), ends_on=pr.ends_on.isoformat(), response_hours=pr.response_minutes // 60, resolution_hours=pr.resolution_minutes // 60, note=pr.note)), button=t('Save'))
    </details>
    % end
  </div>
  % end
  % if not projects:
  <p class="empty">{{t('No projects.')}}</p>
  % end
  % if user.role in ('owner', 'admin'):
  % mine = typed.get('project') == ''
  <details{{!' open' if mine else ''}}><summary>{{t('New project')}}</summary>
  % include('project_form.tpl', action='/customers/%d/projects' % c.id, v=(typed if mine else {}), button=t('Add'))
  </details>
  % end
</section>
<section class="card">
  <h2>{{t('Points')}}: {{number(c.points)}}</h2>
  <ul class="plain">
  % for p in points:
    <li>{{when(p.at)}} · {{('+' if p.delta > 0 else '') + number(p.delta)}} · {{points_reason(p)}}{{' · ' + p.by.username if p.by_id else ''}}</li>
  % end
  </ul>
  % if user.role in ('owner', 'admin'):
  <form method="post" action="/customers/{{c.id}}/points" class="row-form">
    <input type="hidden" name="csrf" value="{{csrf}}">
    <label>{{t('Points')}} <input name="delta" inputmode="numeric" maxlength="12" required placeholder="+10 / -5"></label>
    <label>{{t('Reason')}} <input name="reason" maxlength="200" required></label>
    <button type="submit">{{t('Adjust points')}}</button>
  </form>
  % end
</section>
<section class="card">
  <h2>{{t('Timeline')}}</h2>
  <ol class="timeline">
  % for e in timeline:
    % r, kind = e['row'], e['kind']
    <li class="{{kind}}"><span class="when">{{when(e['at'])}}</span> <span class="kind">{{label(r.direction if kind.startswith('sms') else kind)}}</span>
    % if kind == 'booking':
      {{r.service.name}} · {{date(r.starts_at)}} {{clock(r.starts_at)}}
    % elif kind == 'queue':
      {{t('number {n}').format(n=r.number)}}
    % elif kind == 'points':
      {{('+' if r.delta > 0 else '') + number(r.delta)}} · {{points_reason(r)}}
    % elif kind == 'order':
      <a href="/orders/{{r.number}}">O-{{r.number}}</a> · {{money(r.total)}}{{(' · ' + r.courier) if r.courier else ''}}{{(' · ' + t('tracking number {number}').format(number=r.tracking)) if r.tracking else ''}}
    % else:
      {{e['text']}}
    % end
      <span class="meta">{{label(e['detail'])}}</span></li>
  % end
  </ol>
</section>
