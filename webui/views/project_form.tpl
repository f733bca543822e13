<form method="post" action="{{action}}">
  <input type="hidden" name="csrf" value="{{csrf}}">
  <label>{{t('Name')}} <input name="name" value="{{v.get('name', '')}}" required maxlength="100" placeholder="{{t('e.g. Support contract 2026')}}"></label>
  <div class="row-form">
  <label>{{t('Starts')}} <input type="date" name="starts" value="{{v.get('starts_on', '')}}" required></label>
  <label>{{t('Ends')}} <input type="date" name="ends" value="{{v.get('ends_on', '')}}" required></label>
  </div>
  <div class="row-form">
  <label>{{t('First answer within (hours)')}} <input name="response" value="{{v.get('response_hours', '')}}" required inputmode="numeric" maxlength="5"></label>
  <label>{{t('Resolved within (hours)')}} <input name="resolution" value="{{v.get('resolution_hours', '')}}" required inputmode="numeric" maxlength="5"></label>
  </div>
  <label>{{t('Note')}} <input name="note" value="{{v.get('note', '')}}" maxlength="2000"></label>
  <button type="submit" class="primary">{{button}}</button>
</form>
