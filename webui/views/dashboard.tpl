% rebase('layout.tpl')
<h1>{{t('Dashboard')}}</h1>
% if checklist:
% include('checklist.tpl')
% end
% include('news.tpl')
% if home == 'field':
% include('dash_field.tpl')
% else:
% if home == 'owner':
% include('dash_owner.tpl')
% end
<div class="tiles">
  <a class="tile {{'alert' if waiting else ''}}" href="/inbox?waiting=1"><span class="big">{{str(waiting) + ('+' if waiting >= 1000 else '')}}</span>{{t('Waiting for staff')}}</a>
  <a class="tile {{'alert' if failed else ''}}" href="/outbox"><span class="big">{{str(failed) + ('+' if failed >= 1000 else '')}}</span>{{t('Failed messages')}}</a>
  <a class="tile" href="/bookings"><span class="big">{{len(bookings)}}</span>{{t('Bookings')}} · {{t('Today')}}</a>
  <a class="tile" href="/queue"><span class="big">{{len(queue)}}</span>{{t('Queue')}}</a>
</div>

% if home == 'office':
<section class="card">
  <h2>{{t('Modem')}}</h2>
  % if not modems:
  <p class="empty">{{t('No modem has reported yet. Check that the USB modem is plugged in, or restart the box.')}}</p>
  % end
  % for m in modems:
  <dl class="facts {{'bad' if m['stale'] or not m.get('ok') else ''}}">
    <dt>{{m['modem']}}</dt><dd>{{m.get('model', '')}} · {{m.get('operator') or '?'}} · {{label(m.get('registration', ''))}}</dd>
    <dt>{{t('Signal')}}</dt><dd>{{m.get('signal_percent') if m.get('signal_percent') is not None else '?'}} % ({{m.get('signal_dbm') if m.get('signal_dbm') is not None else '?'}} dBm)</dd>
    <dt>{{t('Last contact')}}</dt><dd>{{ago(m['age_minutes'])}}{{' — ' + m['error'] if m.get('error') else ''}}</dd>
    <dt>{{t('Storage')}}</dt><dd>{{m.get('storage_used') if m.get('storage_used') is not None else '?'}} / {{m.get('storage_total') or '?'}}</dd>
    % include('credit.tpl')
    <dt>{{t('Sent today')}}</dt><dd>{{m['sent_today']}}{{(' / ' + str(daily_cap) + ' (' + t('daily cap') + ')') if daily_cap else ''}}</dd>
  </dl>
  % end
</section>
% end

% if home == 'desk':
<section class="card">
  <h2><a href="/queue">{{t('Queue')}}</a></h2>
  % if not queue:
  <p class="empty">{{t('Nobody is waiting.')}}</p>
  % end
  <ul class="plain">
  % for q in queue:
    <li><strong>{{q.number}}</strong>{{(' · ' + who(q.customer)) if q.customer_id else ''}} · {{label(q.status)}}</li>
  % end
  </ul>
</section>
% end

% if home != 'owner':
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
% end

% include('dash_tickets.tpl', heading=t('Tickets'))
% end
