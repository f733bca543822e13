% rebase('layout.tpl')
<p class="back"><a href="/settings">&larr; {{t('Settings')}}</a> · <a href="/bookings">{{t('Bookings')}}</a></p>
<h1>{{t('Staff who take bookings')}}</h1>
% if error:
<p class="error" role="alert">{{error}}</p>
% end
<p class="meta">{{t('Tick the services each person does. A time is free for a service when one of its people is free; an SMS booking gets the least busy one. A service nobody ticks is booked by its own capacity, without a person.')}}</p>
% for u in users:
% m = members.get(u.id)
<section class="card staff-member">
  <h2>{{staff_name(u)}}{{'' if m else ' — ' + t('takes no bookings')}}</h2>
  <form method="post" action="/settings/staff/{{u.id}}">
    <input type="hidden" name="csrf" value="{{csrf}}">
    <fieldset><legend>{{t('Services')}}</legend>
    % for s in services:
      <label class="check"><input type="checkbox" name="service" value="{{s.id}}" {{'checked' if s.id in does.get(u.id, ()) else ''}}> {{s.name}}</label>
    % end
    </fieldset>
    <label>{{t('Bookings at the same time')}} <input name="capacity" type="number" min="1" max="{{most}}" inputmode="numeric" value="{{m.capacity if m else 1}}"></label>
    <button type="submit" class="primary">{{t('Save')}}</button>
  </form>
</section>
% end
