% rebase('layout.tpl')
% base = '/reports' + ('/' + tab if tab else '')
<h1>{{t('Reports')}} <small class="meta">{{fixed or heading}}</small></h1>
<nav class="settings-links report-tabs" aria-label="{{t('Reports')}}">
  % for name, label in tabs:
  <a href="/reports{{'/' + name if name else ''}}{{'?' + period.query if name != 'sms' and not fixed else ''}}"{{!' aria-current="page"' if name == tab else ''}}>{{t(label)}}</a>
  % end
</nav>
% if period.error:
<p class="error" role="alert">{{period.error}}</p>
% end
% if not fixed:
<nav class="periods" aria-label="{{t('Period')}}">
  % for n in periods:
  <a href="{{base}}?days={{n}}" class="button{{' current' if period.preset == n else ''}}"{{!' aria-current="page"' if period.preset == n else ''}}>{{t('{n} days').format(n=n)}}</a>
  % end
</nav>
<form method="get" action="{{base}}" class="search period-form">
  <label>{{t('From')}} <input type="date" name="from" value="{{period.first.isoformat()}}" required></label>
  <label>{{t('To')}} <input type="date" name="to" value="{{period.last.isoformat()}}" required></label>
  <button type="submit">{{t('Show')}}</button>
</form>
% end
% if facts:
<section class="card">
  <h2>{{fixed or t('In this period')}}</h2>
  <dl class="facts">
  % for label, value, *link in facts:
    <dt>{{label}}</dt><dd>{{value}}
    % if link and value != number(0):
      <a class="button" href="{{link[0]}}">{{t('Check them')}}</a>
    % end
    </dd>
  % end
  </dl>
</section>
% end
% for s in sections:
<section class="card report" id="{{s['name']}}">
  <h2>{{s['heading']}}</h2>
  % if s.get('help'):
  <p class="meta">{{s['help']}}</p>
  % end
  % if s['empty']:
  <p class="empty">{{t('No data for this period.')}}</p>
  % else:
  {{!s['chart']}}
  <details class="report-table"{{!' open' if s.get('open') else ''}}><summary>{{t('Table')}}</summary>
  <table><thead><tr>
  % for column in s['columns']:
    <th>{{column}}</th>
  % end
  </tr></thead><tbody>
  % for row in s['rows']:
    <tr>
    % for value in row:
      <td>{{value}}</td>
    % end
    </tr>
  % end
  </tbody>
  % if s.get('total'):
  <tfoot><tr>
  % for value in s['total']:
    <th>{{value}}</th>
  % end
  </tr></tfoot>
  % end
  </table></details>
  % end
  <p><a class="button" href="/reports/{{s['name']}}.csv{{'' if fixed else '?' + period.query}}" download>{{t('Download CSV')}}</a></p>
</section>
% end
% if tickets is not None:
<section class="card">
  <h2>{{t('Tickets')}}</h2>
  <dl class="facts">
    <dt>{{t('Total')}}</dt><dd>{{number(tickets['total'])}}</dd>
    <dt>{{t('Answered in time')}}</dt><dd>{{'%s %%' % tickets['response_met_percent'] if tickets['response_met_percent'] is not None else '-'}}</dd>
    <dt>{{t('Solved in time')}}</dt><dd>{{'%s %%' % tickets['resolution_met_percent'] if tickets['resolution_met_percent'] is not None else '-'}}</dd>
    <dt>{{t('By category')}}</dt><dd>{{', '.join(k + ': ' + number(v) for k, v in tickets['by_category'].items()) or '-'}}</dd>
  </dl>
</section>
% end
% if points is not None:
<section class="card">
  <h2>{{t('Points')}}</h2>
  <dl class="facts"><dt>{{t('Given')}}</dt><dd>{{number(points['issued'])}}</dd><dt>{{t('Redeemed')}}</dt><dd>{{number(points['redeemed'])}}</dd>
  <dt>{{t('Customers with points')}}</dt><dd>{{number(points['customers_with_points'])}}</dd></dl>
</section>
% end
