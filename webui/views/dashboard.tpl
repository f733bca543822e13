% rebase('layout.tpl')
<h1>{{t('Dashboard')}}</h1>
% if checklist:
% include('checklist.tpl')
% end
<div class="tiles">
  <a class="tile {{'alert' if waiting else ''}}" href="/inbox?waiting=1"><span class="big">{{str(waiting) + ('+' if waiting >= 1000 else '')}}</span>{{t('Waiting for staff')}}</a>
  <a class="tile {{'alert' if failed else ''}}" href="/outbox"><span class="big">{{str(failed) + ('+' if failed >= 1000 else '')}}</span>{{t('Failed messages')}}</a>
  <a class="tile" href="/bookings"><span class="big">{{len(bookings)}}</span>{{t('Bookings')}} · {{t('Today')}}</a>
  <a class="tile" href="/queue"><span class="big">{{len(queue)}}</span>{{t('Queue')}}</a>
</div>

<section class="card">
  <h2>{{t('Modem')}}</h2>
  % if not modems:
  <p class="empty">{{t('No modem has reported yet. Is the worker running?')}}</p>
  % end
  % for m in modems:
  <dl class="facts {{'bad' if m['stale'] or not m.get('ok') else ''}}">
    <dt>{{m['modem']}}</dt><dd>{{m.get('model', '')}} · {{m.get('operator') or '?'}} · {{label(m.get('registration', ''))}}</dd>
    <dt>{{t('Signal')}}</dt><dd>{{m.get('signal_percent') if m.get('signal_percent') is not None else '?'}} % ({{m.get('signal_dbm') if m.get('signal_dbm') is not None else '?'}} dBm)</dd>
    <dt>{{t('Last contact')}}</dt><dd>{{ago(m['age_minutes'])}}{{' — ' + m['error'] if m.get('error') else ''}}</dd>
    <dt>{{t('Storage')}}</dt><dd>{{m.get('storage_used') if m.get('storage_used') is not None else '?'}} / {{m.get('storage_total') or '?'}}</dd>
    % c = m.get('credit')
    <dt>{{t('Credit')}}</dt>
    % if c:
    <dd class="{{'bad' if c['warning'] else ''}}">{{money(int(c['credit'].replace('.', ''))) if c['credit'].replace('.', '').isdigit() else c['credit']}} · {{t('active until')}} {{date(c['active_until'], True) or '?'}} · {{t('checked')}} {{c['checked'] or '?'}}{{(' — ' + t(c['warning'])) if c['warning'] else ''}}{{(' — ' + t('Promotions wait until the credit is topped up.')) if c['held'] else ''}}{{(' — ' + t('The last answer was not understood:') + ' ' + c['reply']) if not c['readable'] and c['reply'] else ''}}</dd>
    % else:
    <dd>{{t('not known yet (the worker asks the operator by USSD)')}}</dd>
    % end
    <dt>{{t('Sent today')}}</dt><dd>{{m['sent_today']}}{{(' / ' + str(daily_cap) + ' (' + t('daily cap') + ')') if daily_cap else ''}}</dd>
  </dl>
  % end
</section>

<section class="card">
  <h2>{{t('Bookings')}} · {{t('Today')}}</h2>
  % if not bookings:
  <p class="empty">{{t('No bookings today.')}}</p>
  % end
  <ul class="plain">
  % for b in bookings:
    <li>{{clock(b.starts_at)}} · {{b.service.name}} · <a href="/customers/{{b.customer_id}}">{{who(b.customer)}}</a> · {{label(b.status)}}</li>
  % end
  </ul>
</section>

<section class="card">
  <h2>{{t('Tickets')}}</h2>
  % if not tickets:
  <p class="empty">{{t('No open tickets.')}}</p>
  % end
  <ul class="plain">
  % for k in tickets:
    <li><a href="/tickets/{{k.number}}">T-{{'%04d' % k.number}}</a> · {{k.summary[:80]}} · {{label(k.status)}}
      % resolution = sla(k)['resolution']
      % if resolution.state == 'paused':
      · <span class="timer">{{t('paused')}}</span>
      % elif resolution.due:
      · <span class="timer {{'bad' if resolution.overdue else ''}}">{{until(resolution.due)}}</span>
      % end
    </li>
  % end
  </ul>
</section>
