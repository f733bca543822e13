% rebase('layout.tpl')
<p class="back"><a href="/tickets">&larr; {{t('Tickets')}}</a></p>
<h1>Ticket report · {{days}} days</h1>
<dl class="facts">
  <dt>{{t('Total')}}</dt><dd>{{r['total']}}</dd>
  <dt>Response SLA met</dt><dd>{{r['response_sla']['percent'] if r['response_sla']['percent'] is not None else '-'}} % ({{r['response_sla']['met']}} met, {{r['response_sla']['missed']}} missed)</dd>
  <dt>Resolution SLA met</dt><dd>{{r['resolution_sla']['percent'] if r['resolution_sla']['percent'] is not None else '-'}} % ({{r['resolution_sla']['met']}} met, {{r['resolution_sla']['missed']}} missed)</dd>
  <dt>Average response</dt><dd>{{r['average_response_minutes'] if r['average_response_minutes'] is not None else '-'}} min</dd>
  <dt>Average resolution</dt><dd>{{r['average_resolution_minutes'] if r['average_resolution_minutes'] is not None else '-'}} min</dd>
  <dt>By status</dt><dd>{{', '.join(k + ': ' + str(v) for k, v in r['by_status'].items())}}</dd>
  <dt>By category</dt><dd>{{', '.join((k or '-') + ': ' + str(v) for k, v in r['by_category'].items()) or '-'}}</dd>
  <dt>By technician</dt><dd>{{', '.join(k + ': ' + str(v) for k, v in r['by_technician'].items()) or '-'}}</dd>
</dl>
