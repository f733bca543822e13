% rebase('layout.tpl')
<h1>{{t('Visits')}}</h1>
<nav class="pages">
  <a href="/visits?day={{prev}}{{'&view=week' if week else ''}}{{keep}}" title="{{t('Earlier')}}">&larr;</a>
  <a href="/visits?day={{today}}{{keep}}">{{t('Today')}}</a>
  % if week:
  <a href="/visits?day={{day}}{{keep}}">{{t('day')}}</a>
  % else:
  <a href="/visits?day={{day}}&view=week{{keep}}">{{t('week')}}</a>
  % end
  <a href="/visits?day={{next}}{{'&view=week' if week else ''}}{{keep}}" title="{{t('Later')}}">&rarr;</a>
</nav>
% if user.role != 'technician':
<form method="get" action="/visits" class="row-form">
  <input type="hidden" name="day" value="{{day}}">
  % if week:
  <input type="hidden" name="view" value="week">
  % end
  <label>{{t('Technician')}} <select name="technician">
    <option value="">{{t('everyone')}}</option>
  % for group, people in groups:
  % if len(groups) > 1:
  <optgroup label="{{group or t('Other technicians')}}">
  % end
  % for u in people:
    <option value="{{u.id}}" {{'selected' if chosen is not None and u.id == chosen.id else ''}}>{{u.full_name or u.username}}</option>
  % end
  % if len(groups) > 1:
  </optgroup>
  % end
  % end
  </select></label>
  <button type="submit">{{t('Show')}}</button>
</form>
% end
% if not count:
<p class="meta">{{t('No visits planned for this day.') if not week else t('No visits planned for this week.')}}</p>
% end
% for col in columns:
% if col['rows'] or (week and count):
<section class="card">
  <h2>{{date(col['day'])}}</h2>
  % if not col['rows']:
  <p class="meta">{{t('No visits planned for this day.')}}</p>
  % end
  <ul class="plain visits">
  % for k in col['rows']:
    <li class="{{k.status}}">
      <a class="visit" href="/tickets/{{k.number}}"><strong>{{clock(k.visit_at)}}</strong> <span>{{ticket_label(k)}} · {{k.summary}}</span></a>
      <br>{{who(k.customer)}} · <a class="nowrap" href="tel:{{k.customer.phone}}">{{phone_number(k.customer.phone)}}</a>
      <br>{{k.customer.address or t('no address yet: call the customer')}}
      % if user.role != 'technician':
      <br><span class="meta">{{t('Technician')}}: {{technician_of(k)}} · {{label(k.status)}}</span>
      % else:
      <br><span class="meta">{{label(k.status)}}</span>
      % end
    </li>
  % end
  </ul>
</section>
% end
% end
