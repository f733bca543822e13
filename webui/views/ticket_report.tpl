% rebase('layout.tpl')
% labels = {'new': t('New'), 'assigned': t('Assigned'), 'pending': t('Pending'), 'resolved': t('Resolved'), 'closed': t('Closed')}
% def sla(clock):
%   c = r[clock + '_sla']
%   return ('-' if c['percent'] is None else '%s %%' % number(round(c['percent']))) + ' · ' + t('{met} in time, {missed} late').format(met=number(c['met']), missed=number(c['missed']))
% end
% def minutes(value):
%   return '-' if value is None else t('{n} min').format(n=number(round(value)))
% end
<p class="back"><a href="/tickets">&larr; {{t('Tickets')}}</a></p>
<h1>{{t('Ticket report')}} <small class="meta">{{date(period.first)}} – {{date(period.last)}}</small></h1>
% if period.error:
<p class="error" role="alert">{{period.error}}</p>
% end
<nav class="periods" aria-label="{{t('Period')}}">
  % for n in (7, 30, 90, 365):
  <a href="/tickets/report?days={{n}}" class="button{{' current' if n == period.preset else ''}}"{{!' aria-current="page"' if n == period.preset else ''}}>{{t('{n} days').format(n=n)}}</a>
  % end
</nav>
<form method="get" action="/tickets/report" class="search period-form">
  <label>{{t('From')}} <input type="date" name="from" value="{{period.first.isoformat()}}" required></label>
  <label>{{t('To')}} <input type="date" name="to" value="{{period.last.isoformat()}}" required></label>
  <button type="submit">{{t('Show')}}</button>
</form>
<dl class="facts card">
  <dt>{{t('Total')}}</dt><dd>{{number(r['total'])}}</dd>
  <dt>{{t('Answered in time')}}</dt><dd>{{sla('response')}}</dd>
  <dt>{{t('Solved in time')}}</dt><dd>{{sla('resolution')}}</dd>
  <dt>{{t('Average time to answer')}}</dt><dd>{{minutes(r['average_response_minutes'])}}</dd>
  <dt>{{t('Average time to solve')}}</dt><dd>{{minutes(r['average_resolution_minutes'])}}</dd>
  <dt>{{t('By status')}}</dt><dd>{{', '.join(labels.get(k, k) + ': ' + number(v) for k, v in r['by_status'].items())}}</dd>
  <dt>{{t('By category')}}</dt><dd>{{', '.join((k or '-') + ': ' + number(v) for k, v in r['by_category'].items()) or '-'}}</dd>
  <dt>{{t('By technician')}}</dt><dd>{{', '.join(k + ': ' + number(v) for k, v in r['by_technician'].items()) or '-'}}</dd>
</dl>
<section class="card">
  <h2>{{t('How did we do? (scores 1-5)')}}</h2>
  % if not any(ratings.values()):
  <p class="empty">{{t('No scores in this period yet: customers are asked after a ticket is resolved or a booking is done.')}}</p>
  % else:
  % for part, heading in (('staff', t('Technician')), ('category', t('Category')), ('month', t('Month'))):
  <table>
    <thead><tr><th>{{heading}}</th><th>{{t('Average score')}}</th><th>{{t('Scores')}}</th></tr></thead>
    <tbody>
    % for row in ratings[part]:
    <tr class="{{'bad' if row['average'] <= 2 else ''}}"><td>{{month(row['key']) if part == 'month' else row['key']}}</td><td>{{number(round(row['average'], 1))}}</td><td>{{number(row['count'])}}</td></tr>
    % end
    </tbody>
  </table>
  % end
  % end
</section>
% states = {'met': t('in time'), 'missed': t('late'), 'late': t('late'), 'open': t('open')}
% def taken(clock):
%   return (minutes(clock[0]) + ' · ' if clock[0] is not None else '') + states.get(clock[1], clock[1])
% end
% query = 'from=%s&to=%s' % (period.first, period.last)
<section class="card">
  <h2>{{t('Tickets in this period')}}</h2>
  <p><a class="button" href="/tickets/report.csv?{{query}}" download>{{t('Download CSV')}}</a></p>
  % if not rows:
  <p class="empty">{{t('No tickets were opened in this period.')}}</p>
  % else:
  <table>
    <thead><tr><th>{{t('Number')}}</th><th>{{t('Opened')}}</th><th>{{t('Customer')}}</th><th>{{t('Category')}}</th><th>{{t('Status')}}</th><th>{{t('Technician')}}</th><th>{{t('Answer')}}</th><th>{{t('Fix')}}</th></tr></thead>
    <tbody>
    % for row in rows:
    <tr class="{{'bad' if 'missed' in (row['answer'][1], row['fix'][1]) or 'late' in (row['answer'][1], row['fix'][1]) else ''}}">
      <td><a href="/tickets/{{row['id']}}">{{row['number']}}</a></td><td>{{when(row['opened'])}}</td><td>{{who(row['customer'])}}</td>
      <td>{{row['category'] or '-'}}</td><td>{{labels.get(row['status'], row['status'])}}</td><td>{{row['technician'] or '-'}}</td>
      <td>{{taken(row['answer'])}}</td><td>{{taken(row['fix'])}}</td>
    </tr>
    % end
    </tbody>
  </table>
  % end
  % if page > 1 or more:
  <nav class="pages">
    % if page > 1:
    <a href="/tickets/report?{{query}}&page={{page - 1}}">{{t('Earlier')}}</a>
    % end
    % if more:
    <a href="/tickets/report?{{query}}&page={{page + 1}}">{{t('Later')}}</a>
    % end
  </nav>
  % end
</section>
