% rebase('layout.tpl')
<h1>{{t('Bookings')}}</h1>
% if error:
<p class="error" role="alert">{{error}}</p>
% end
% sq = '&staff=%d' % person.id if person else ''
<nav class="pages">
  <a href="/bookings?day={{prev}}{{'&view=week' if week else ''}}{{sq}}">&larr;</a>
  <a href="/bookings?day={{today}}{{sq}}">{{t('Today')}}</a>
  % if week:
  <a href="/bookings?day={{day}}{{sq}}">{{t('day')}}</a>
  % end
  <a href="/bookings?day={{day}}&view=week{{sq}}">{{t('week')}}</a>
  <a href="/bookings?day={{next}}{{'&view=week' if week else ''}}{{sq}}">&rarr;</a>
</nav>
% keep = '&view=week' if week else ''
% if people:
<nav class="pages staff-filter" aria-label="{{t('Staff')}}">
  <a href="/bookings?day={{day}}{{keep}}"{{!'' if person else ' aria-current="page"'}}>{{t('All staff')}}</a>
  % for m in people:
  <a href="/bookings?day={{day}}{{keep}}&staff={{m.user_id}}"{{!' aria-current="page"' if person and person.id == m.user_id else ''}}>{{staff_name(m.user)}}</a>
  % end
  % if user.role in ('owner', 'admin'):
  <a href="/settings/staff">{{t('who does what')}}</a>
  % end
</nav>
% elif user.role in ('owner', 'admin'):
<p class="meta"><a href="/settings/staff">{{t('Plan bookings by staff member (therapists)')}}</a></p>
% end
<div class="{{'week' if week else ''}}">
% for col in columns:
<section class="card">
  <h2>{{date(col['day'])}}{{'' if col['open'] else ' — ' + t('closed')}}</h2>
  <p class="meta">{{t('free times')}}: {{', '.join(name + ' ' + str(n) for name, n in col['free'].items()) or '-'}}</p>
  <ul class="plain">
  % for b in col['rows']:
    <li class="{{b.status}}">{{clock(b.starts_at)}}–{{clock(b.ends_at)}} · {{b.service.name}} ·
      <a href="/customers/{{b.customer_id}}">{{who(b.customer)}}</a> · {{label(b.status)}}
      % if b.staff_id:
      · <span class="staff">{{staff_name(b.staff)}}</span>
      % end
      % if b.status in ('booked', 'no_show') and user.role in ('owner', 'admin', 'frontdesk'):
      <form method="post" action="/bookings/{{b.id}}" class="inline">
        <input type="hidden" name="csrf" value="{{csrf}}">
        % if b.status == 'booked' and col['day'] == today:
        <button type="submit" name="action" value="arrived">{{t('arrived')}}</button>
        % end
        % if b.starts_at <= now:
        <button type="submit" name="action" value="done">{{t('done')}}</button>
        % end
        % if b.status == 'booked':
        <button type="submit" name="action" value="no_show">{{t('no-show')}}</button>
        <button type="submit" name="action" value="cancel" data-confirm="{{t('Cancel this booking? The customer gets an SMS.')}}">{{t('Cancel')}}</button>
        % end
      </form>
      % if b.status == 'booked' and people:
      <form method="post" action="/bookings/{{b.id}}" class="staff-change">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <select name="staff" aria-label="{{t('Staff')}}">
        % for m in people:
          <option value="{{m.user_id}}" {{'selected' if m.user_id == b.staff_id else ''}}>{{staff_name(m.user)}}</option>
        % end
        </select>
        <button type="submit" name="action" value="staff">{{t('change')}}</button>
      </form>
      % end
      % end
    </li>
  % end
  </ul>
</section>
% end
</div>
% if user.role in ('owner', 'admin', 'frontdesk'):
<details class="card" id="new"{{!' open' if prefill or typed else ''}}><summary>{{t('New booking')}}</summary>
<form method="post" action="/bookings">
  <input type="hidden" name="csrf" value="{{csrf}}">{{!'<input type="hidden" name="from" value="inbox">' if from_inbox else ''}}
  <label>{{t('Phone')}} <input name="phone" required maxlength="40" inputmode="tel" value="{{prefill}}"></label>
  <label>{{t('Service')}} <select name="service">
  % for s in services:
    <option value="{{s.id}}" {{'selected' if typed.get('service') == str(s.id) else ''}}>{{s.name}} ({{t('{minutes} min').format(minutes=s.duration_minutes)}})</option>
  % end
  </select></label>
  % if people:
  <label>{{t('Staff')}} <select name="staff">
    <option value="">{{t('any free one')}}</option>
  % for m in people:
    <option value="{{m.user_id}}" {{'selected' if typed.get('staff', str(person.id) if person else '') == str(m.user_id) else ''}}>{{staff_name(m.user)}}</option>
  % end
  </select></label>
  % end
  <label>{{t('Date')}} <input type="date" name="date" value="{{typed.get('date') or day}}" required></label>
  <label>{{t('Time')}} <input type="time" name="time" value="{{typed.get('time') or '09:00'}}" required></label>
  <button type="submit" class="primary">{{t('Add')}}</button>
</form></details>
% end
