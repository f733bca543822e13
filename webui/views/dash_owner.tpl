<section class="card" aria-labelledby="money">
  <h2 id="money"><a href="/reports/sales">{{t('Money')}}</a></h2>
  <dl class="facts">
    <dt>{{t('Today')}}</dt><dd><strong>{{money(money_now['today_revenue'])}}</strong> · {{t('orders paid: {count}').format(count=number(money_now['today_paid']))}}</dd>
    <dt>{{t('This month')}}</dt><dd><strong>{{money(money_now['month_revenue'])}}</strong> · {{t('orders paid: {count}').format(count=number(money_now['month_paid']))}}</dd>
    <dt>{{t('Still unpaid')}}</dt><dd class="{{'bad' if money_now['unpaid']['count'] else ''}}"><a href="/orders?status=awaiting_payment">{{t('orders: {count}').format(count=number(money_now['unpaid']['count']))}}</a> · {{money(money_now['unpaid']['total'])}}</dd>
    <dt>{{t('Payment claims to check')}}</dt><dd class="{{'bad' if money_now['claims'] else ''}}"><a href="/orders">{{number(money_now['claims'])}}</a></dd>
    <dt>{{t('SMS spent this month')}}</dt><dd><a href="/reports/sms">{{money(money_now['month_sms'])}}</a></dd>
  </dl>
</section>

<section class="card" aria-labelledby="credit">
  <h2 id="credit"><a href="/settings/modem">{{t('SMS credit')}}</a></h2>
  % if not modems:
  <p class="empty">{{t('No modem has reported yet. Check that the USB modem is plugged in, or restart the box.')}}</p>
  % end
  % for m in modems:
  <dl class="facts {{'bad' if m['stale'] or not m.get('ok') else ''}}">
    <dt>{{t('Modem')}}</dt><dd>{{m['modem']}} · {{m.get('operator') or '?'}}{{(' — ' + t('NOT WORKING')) if m['stale'] or not m.get('ok') else ''}}</dd>
    % include('credit.tpl')
    <dt>{{t('Sent today')}}</dt><dd>{{m['sent_today']}}{{(' / ' + str(daily_cap) + ' (' + t('daily cap') + ')') if daily_cap else ''}}</dd>
  </dl>
  % end
</section>

<section class="card" aria-labelledby="quality">
  <h2 id="quality"><a href="/tickets/report">{{t('Service quality')}}</a> · {{t('This month')}}</h2>
  <dl class="facts">
    <dt>{{t('Score from customers')}}</dt>
    % if quality['answered']:
    <dd><strong>{{number(round(quality['average'], 1))}} / 5</strong> · {{t('answers: {count}').format(count=number(quality['answered']))}}</dd>
    % else:
    <dd>{{t('no answers yet')}}</dd>
    % end
    <dt>{{t('Low scores (1-2)')}}</dt><dd class="{{'bad' if quality['low'] else ''}}"><a href="/inbox?waiting=1">{{number(quality['low'])}}</a></dd>
    % for row in quality['staff']:
    <dt>{{row['key']}}</dt><dd>{{number(round(row['average'], 1))}} / 5 · {{t('answers: {count}').format(count=number(row['count']))}}</dd>
    % end
    <dt>{{t('Tickets solved in time')}}</dt><dd>{{(number(quality['resolution_met']) + ' %') if quality['resolution_met'] is not None else '-'}} · {{t('tickets: {count}').format(count=number(quality['tickets']))}}</dd>
  </dl>
</section>
