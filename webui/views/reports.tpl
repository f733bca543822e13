% rebase('layout.tpl')
<h1>{{t('Reports')}}</h1>
<form method="get" action="/reports" class="search">
  <label>Days <select name="days">
  % for n in (7, 30, 90, 365):
    <option value="{{n}}" {{'selected' if n == days else ''}}>{{n}}</option>
  % end
  </select></label>
  <button type="submit">{{t('Open')}}</button>
</form>
% for name, heading in [('messages', 'Messages per day'), ('bookings', 'Bookings and no-shows'), ('retention', 'Returning customers per month'), ('campaigns', 'Campaign results')]:
<section class="card">
  <h2>{{heading}} <a class="meta" href="/reports/{{name}}.csv?days={{days}}">{{t('Download CSV')}}</a></h2>
  % if name in charts:
  {{!charts[name]}}
  % end
  % rows, label, series = tables[name]
  % if rows:
  <details><summary>Table</summary>
  <table><thead><tr>
  % for column in rows[0]:
    <th>{{column}}</th>
  % end
  </tr></thead><tbody>
  % for row in rows:
    <tr>
    % for value in row.values():
      <td>{{value}}</td>
    % end
    </tr>
  % end
  </tbody></table></details>
  % else:
  <p class="empty">No data for this period.</p>
  % end
</section>
% end
<section class="card">
  <h2>{{t('Tickets')}}</h2>
  <dl class="facts">
    <dt>{{t('Total')}}</dt><dd>{{tickets['total']}}</dd>
    <dt>SLA response met</dt><dd>{{tickets['response_met_percent'] if tickets['response_met_percent'] is not None else '-'}} %</dd>
    <dt>SLA resolution met</dt><dd>{{tickets['resolution_met_percent'] if tickets['resolution_met_percent'] is not None else '-'}} %</dd>
    <dt>By category</dt><dd>{{', '.join(k + ': ' + str(v) for k, v in tickets['by_category'].items()) or '-'}}</dd>
  </dl>
</section>
<section class="card">
  <h2>{{t('Points')}}</h2>
  <dl class="facts"><dt>Issued</dt><dd>{{points['issued']}}</dd><dt>Redeemed</dt><dd>{{points['redeemed']}}</dd>
  <dt>Customers with points</dt><dd>{{points['customers_with_points']}}</dd></dl>
</section>
