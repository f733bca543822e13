<section class="card">
  <h2>{{heading}}</h2>
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
